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

module.exports = { stepper };
