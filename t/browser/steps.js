// What the browser tests share: steps that run in order on one page, each a node:test test. A failed step
// leaves a screenshot and the page's HTML in the artifacts directory, and the steps after it are skipped.
'use strict';

const { test } = require('node:test');
const fs = require('node:fs');
const path = require('node:path');

// step(name, fn) for a test whose page currentPage() returns (none yet: nothing is saved).
function stepper(artifacts, currentPage) {
	let failed = false;
	return async function step(name, fn) {
		if (failed) {
			await test(name, { skip: 'an earlier step failed' }, () => {});
			return;
		}
		await test(name, async () => {
			try {
				await fn();
			} catch (e) {
				failed = true;
				const page = currentPage();
				if (page) {
					const shot = path.join(artifacts, `failed-${name.replace(/\W+/g, '-')}.png`);
					await page.screenshot({ path: shot, fullPage: true }).catch(() => {});
					fs.writeFileSync(path.join(artifacts, 'failed-page.html'), await page.content().catch(() => ''));
				}
				throw e;
			}
		});
	};
}

// Debian's headless Chromium with a fresh profile (userDataDir); its page's console lines and script errors
// go to the arrays given. TENANT_SPKI: the tenant's TLS key, accepted without its CA.
async function launch(userDataDir, consoleLines, pageErrors) {
	const { chromium } = require('playwright-core');
	const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
		'--disable-background-networking', '--disable-component-update', '--disable-sync'];
	if (process.env.TENANT_SPKI) args.push('--ignore-certificate-errors-spki-list=' + process.env.TENANT_SPKI);
	const context = await chromium.launchPersistentContext(userDataDir, {
		executablePath: '/usr/bin/chromium',
		headless: true,
		args,
		viewport: { width: 1280, height: 900 },
		timeout: 30000,
	});
	context.setDefaultTimeout(15000);
	const page = context.pages()[0] || await context.newPage();
	page.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()} (${m.location().url || ''})`));
	page.on('pageerror', (e) => pageErrors.push(String(e)));
	return { context, page };
}

module.exports = { stepper, launch };
