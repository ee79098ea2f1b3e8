// The demo in a real browser (Debian's headless Chromium, driven by playwright-core): log in through the
// fake tenant's login page, see the protected page with claims, open the admin page, search a user,
// assign a role and see it persist after a reload, list organizations and members, log out and see the
// session gone. Screenshots go to $ARTIFACTS. Run by t/browser/run, which starts the tenant and httpd
// and sets the environment:
//
//   BASE_URL       the demo site (http://localhost:PORT)
//   ARTIFACTS      where screenshots and the console log go
//   USER_DATA_DIR  a fresh Chromium profile
//   TENANT_SPKI    (optional) base64 SHA-256 of the tenant's TLS key, accepted without a CA
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { stepper, launch } = require('./steps');

const BASE = process.env.BASE_URL;
const ARTIFACTS = process.env.ARTIFACTS;
const USER_DATA_DIR = process.env.USER_DATA_DIR;
const ALICE = { email: 'alice@example.com', password: 'Alice-Passw0rd!', id: 'auth0|a11ce0000000000000000001' };
const BOB = { email: 'bob@example.com', password: 'Bob-Passw0rd!', id: 'auth0|b0b000000000000000000002' };
for (const [k, v] of Object.entries({ BASE_URL: BASE, ARTIFACTS, USER_DATA_DIR }))
	if (!v) throw new Error(`${k} is not set: run t/browser/run`);


let context;
let page;
const consoleLines = [];
const pageErrors = [];
let shot = 0;

async function screenshot(name) {
	shot += 1;
	const file = path.join(ARTIFACTS, `${String(shot).padStart(2, '0')}-${name}.png`);
	await page.screenshot({ path: file, fullPage: true });
	return file;
}

// Every step runs in order on the same page (steps.js).
const step = stepper(ARTIFACTS, () => page);


// (Top-level tests created one after the other: an after() hook would run after the first one.)
(async () => {
	try {
		fs.mkdirSync(ARTIFACTS, { recursive: true });
		await steps();
	} finally {
		fs.writeFileSync(path.join(ARTIFACTS, 'console.log'), consoleLines.join('\n') + '\n');
		if (context) await context.close();
	}
})();

async function steps() {
	await step('the browser starts', async () => {
		({ context, page } = await launch(USER_DATA_DIR, consoleLines, pageErrors));
	});

	await step('the landing page is public', async () => {
		const res = await page.goto(BASE + '/');
		assert.equal(res.status(), 200);
		assert.equal(await page.title(), 'mod_auth0 demo');
		await screenshot('landing');
	});

	await step('the protected page sends us to the tenant login page', async () => {
		await page.click('#protected');
		await page.waitForURL(/\/u\/login\?/);
		assert.ok(!page.url().startsWith(BASE), 'the login page is the tenant\'s: ' + page.url());
		await screenshot('tenant-login');
	});

	await step('alice types her credentials and sees her claims', async () => {
		await page.fill('#username', ALICE.email);
		await page.fill('#password', ALICE.password);
		await Promise.all([
			page.waitForURL(BASE + '/protected/'),
			page.click('button[value="login"]'),
		]);
		assert.equal(await page.textContent('#remote-user'), ALICE.id);
		const claims = await page.$$eval('#claims tbody tr', (rows) =>
			Object.fromEntries(rows.map((r) => [r.querySelector('th').textContent, r.querySelector('td').textContent])));
		assert.equal(claims.email, ALICE.email, 'the email claim');
		assert.equal(claims.sub, ALICE.id, 'the sub claim');
		assert.match(await page.textContent('#hello'), /Alice/);
		await screenshot('protected-claims');
	});

	await step('the admin page lists users', async () => {
		await page.click('#admin');
		await page.waitForURL(BASE + '/admin/');
		await page.waitForSelector('#users tbody tr');
		assert.ok(await page.locator('#users tbody tr').count() >= 5, 'the seeded users');
		assert.equal(await page.textContent('#who'), ALICE.email);
		await screenshot('admin-users');
	});

	await step('search a user', async () => {
		await page.fill('#q', 'bob');
		await page.click('#search');
		await page.waitForFunction(() => {
			const rows = document.querySelectorAll('#users tbody tr');
			return rows.length === 1 && rows[0].textContent.includes('bob@example.com');
		});
		assert.match(page.url(), /#\/users\?q=bob/);
		await screenshot('admin-search-bob');
	});

	await step('open the user', async () => {
		await page.click('#users a.user-link');
		await page.waitForSelector('#user-title');
		assert.equal(await page.textContent('#user-title'), BOB.email);
		const roles = await page.$$eval('#user-roles li .role', (els) => els.map((e) => e.textContent));
		assert.deepEqual(roles, ['reader'], 'bob is a reader');
		await screenshot('admin-user-bob');
	});

	await step('assign a role', async () => {
		await page.selectOption('#role-select', { label: 'admin' });
		await page.click('#assign-role');
		await page.waitForSelector('#status .ok');
		assert.equal(await page.textContent('#status .ok'), 'Role admin assigned.');
		const roles = await page.$$eval('#user-roles li .role', (els) => els.map((e) => e.textContent).sort());
		assert.deepEqual(roles, ['admin', 'reader']);
		await screenshot('admin-role-assigned');
	});

	await step('the role persists after a reload', async () => {
		await page.reload();
		await page.waitForSelector('#user-roles li .role');
		const roles = await page.$$eval('#user-roles li .role', (els) => els.map((e) => e.textContent).sort());
		assert.deepEqual(roles, ['admin', 'reader'], 'read back from the tenant');
		// and through the JSON API itself (the page's cookie session)
		const res = await page.request.get(BASE + '/admin/api/users/' + encodeURIComponent(BOB.id) + '/roles');
		assert.equal(res.status(), 200);
		assert.deepEqual((await res.json()).map((r) => r.name).sort(), ['admin', 'reader']);
		await screenshot('admin-after-reload');
	});

	await step('remove the role again', async () => {
		await page.click('#user-roles li[data-role-id="rol_Admin00000000001"] .remove-role');
		await page.waitForFunction(() => document.querySelector('#status .ok')?.textContent === 'Role admin removed.');
		const roles = await page.$$eval('#user-roles li .role', (els) => els.map((e) => e.textContent));
		assert.deepEqual(roles, ['reader']);
	});

	await step('a change without the CSRF token is refused', async () => {
		// what a script on another page could try with alice's cookies: no X-CSRF-Token
		const status = await page.evaluate(async (url) => (await fetch(url, {
			method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: '{"blocked":true}',
		})).status, BASE + '/admin/api/users/' + encodeURIComponent(BOB.id));
		assert.equal(status, 403);
	});

	await step('organizations and their members', async () => {
		await page.click('#nav-organizations');
		await page.waitForSelector('#organizations tbody tr');
		const names = await page.$$eval('#organizations a.org-link', (els) => els.map((e) => e.textContent).sort());
		assert.deepEqual(names, ['acme', 'globex']);
		await page.click('#organizations a.org-link >> text=acme');
		await page.waitForSelector('#members tbody tr');
		const members = await page.$$eval('#members tbody tr', (rows) => rows.map((r) => r.dataset.userId).sort());
		assert.ok(members.includes(ALICE.id), 'alice is a member of acme');
		await screenshot('admin-organization-acme');
	});

	await step('sign out', async () => {
		await Promise.all([page.waitForURL(BASE + '/'), page.click('#logout')]);
		const cookies = (await context.cookies(BASE)).map((c) => c.name);
		assert.ok(!cookies.some((n) => /auth0_session/.test(n)), 'no session cookie left: ' + cookies.join(', '));
		await screenshot('signed-out');
	});

	await step('the session is gone: the protected page asks to log in again', async () => {
		await page.goto(BASE + '/protected/');
		await page.waitForURL(/\/u\/login\?/);
		assert.ok(await page.isVisible('#password'), 'the login form');
		await screenshot('login-again');
	});

	await step('a form sent while signed out arrives after the sign-in (Auth0PreservePost)', async () => {
		const note = 'Grüße ✓ <b>not bold</b> & "quoted"\nsecond line';
		await page.goto(BASE + '/');
		await page.fill('#note', note);
		await Promise.all([page.waitForURL(/\/u\/login\?/), page.click('#send-note')]);
		await page.fill('#username', ALICE.email);
		await page.fill('#password', ALICE.password);
		await Promise.all([
			// the callback's page posts the form again with its nonce script: the browser lands on the page
			page.waitForURL(BASE + '/protected/'),
			page.click('button[value="login"]'),
		]);
		await page.waitForSelector('#note');
		// a textarea sends its line break as CRLF, which HTML parsing turns back into LF
		assert.equal(await page.textContent('#note'), note);
		assert.equal(await page.textContent('#remote-user'), ALICE.id);
		await screenshot('note-after-login');
	});

	await step('bob, a reader, is refused the admin page: the access-denied page names him', async () => {
		// a sign-in link (Auth0LoginPath) that asks the tenant for a login, back to the admin page
		await page.goto(BASE + '/login?prompt=login&returnTo=' + encodeURIComponent('/admin/'));
		await page.waitForURL(/\/u\/login\?/);
		await page.fill('#username', BOB.email);
		await page.fill('#password', BOB.password);
		const [res] = await Promise.all([
			page.waitForResponse((r) => r.url() === BASE + '/admin/'),
			page.click('button[value="login"]'),
		]);
		assert.equal(res.status(), 403, 'AuthzSendForbiddenOnFailure On: 403');
		assert.equal(await page.textContent('h1'), 'Access denied');
		assert.match(await page.textContent('main'), /You are signed in as bob@example\.com\./);
		assert.equal(await page.textContent('#logout'), 'Sign out');
		await screenshot('access-denied');
	});

	await step('"Sign in with another account" logs alice in, back on the admin page', async () => {
		await Promise.all([page.waitForURL(/\/u\/login\?/), page.click('#login')]);
		assert.ok(await page.isVisible('#password'), 'the tenant asks for a login (prompt=login), not single sign-on as bob');
		await page.fill('#username', ALICE.email);
		await page.fill('#password', ALICE.password);
		await Promise.all([page.waitForURL(BASE + '/admin/'), page.click('button[value="login"]')]);
		await page.waitForSelector('#users tbody tr');
		assert.equal(await page.textContent('#who'), ALICE.email);
	});

	await step('no script error and no CSP violation on the way', async () => {
		assert.deepEqual(pageErrors, []);
		const csp = consoleLines.filter((l) => /Content Security Policy/i.test(l));
		assert.deepEqual(csp, []);
	});
}
