// The demo's API from a real browser's EventSource and WebSocket (Debian's headless Chromium, driven by
// playwright-core), which cannot send an Authorization header: /api/live/ takes the access token from the
// access_token query parameter or from the cookie live_token (Auth0BearerTokenFrom header query
// cookie:live_token, conf/demo/httpd.conf.in). /api/live/events is a CGI streaming server-sent events that
// say what reached it; /api/live/socket is proxied (mod_proxy_http, upgrade=websocket) to the echo backend
// t/browser/ws-echo.js, which says what reached it too. Checked:
//   (a) an EventSource with ?access_token= gets events naming alice, and no token reached the CGI;
//   (b) a WebSocket with ?access_token= opens and echoes, and no token reached the backend;
//   (c) the token in the cookie, set by the page, works for both from the site's own page;
//   (d) a page of another origin (localhost on another port: the same site, so the browser sends the cookie
//       along, SameSite or not) opening a WebSocket or an EventSource with that cookie is refused, 401;
//   (e) a wrong token is refused, in the query (even beside a valid cookie) and in the cookie;
// the demo's page /live.html does the same with its buttons; no token is in the access log or ever reached
// the backend. Run by t/browser/run, which starts the tenant, the backend and httpd and sets:
//
//   BASE_URL       the demo site (http://localhost:PORT)
//   ARTIFACTS      where screenshots and the console log go
//   USER_DATA_DIR  a fresh Chromium profile
//   TENANT_SPKI    (optional) base64 SHA-256 of the tenant's TLS key, accepted without a CA
//   TENANT_URL     the fake tenant, for an access token (its CA in NODE_EXTRA_CA_CERTS when it is https)
//   WS_BACKEND     the echo backend, straight (http://127.0.0.1:PORT): its GET /handshakes
//   ACCESS_LOG, ERROR_LOG   httpd's logs
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { stepper, launch } = require('./steps');

const ENV = {};
for (const k of ['BASE_URL', 'ARTIFACTS', 'USER_DATA_DIR', 'TENANT_URL', 'WS_BACKEND', 'ACCESS_LOG', 'ERROR_LOG']) {
	ENV[k] = process.env[k];
	if (!ENV[k]) throw new Error(`${k} is not set: run t/browser/run`);
}
const BASE = ENV.BASE_URL;
const WS_BASE = BASE.replace(/^http/, 'ws');
const ARTIFACTS = ENV.ARTIFACTS;
const ALICE = { email: 'alice@example.com', password: 'Alice-Passw0rd!', id: 'auth0|a11ce0000000000000000001' };
// what mod_auth0 logs (LogLevel auth0:info) when it leaves the cookie of another origin's request unread
const COOKIE_REFUSED = 'mod_auth0: the token cookie live_token of a GET request from another site not used';


let context;
let page;
let other;       // the server of another origin's page
let otherBase;   // http://localhost:ITS_PORT
let token;       // alice's access token for https://api.example.com/
let wrongToken;  // the same with its signature changed
const consoleLines = [];
const pageErrors = [];
let shot = 0;
let opened = 0;  // WebSocket handshakes that reached the backend, by this test's count

// s with the tokens written <TOKEN> and <WRONG TOKEN>: what an assertion shows when one got through
function redact(s) {
	let out = String(s);
	if (token) out = out.split(token).join('<TOKEN>').split(encodeURIComponent(token)).join('<TOKEN>');
	if (wrongToken) out = out.split(wrongToken).join('<WRONG TOKEN>');
	return out;
}

async function screenshot(name, p = page) {
	shot += 1;
	await p.screenshot({ path: path.join(ARTIFACTS, `${String(shot).padStart(2, '0')}-${name}.png`), fullPage: true });
}

// Every step runs in order on the same page (steps.js).
const step = stepper(ARTIFACTS, () => page);

// ---- waiting on what happened, with a deadline (no sleeps) ---------------------------------------------

// Polls fn until it returns something other than undefined; fails after ms with what.
async function until(what, fn, ms = 10000) {
	const deadline = Date.now() + ms;
	for (;;) {
		const v = await fn();
		if (v !== undefined) return v;
		if (Date.now() > deadline) throw new Error(`timed out (${ms} ms) waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 50));
	}
}

// The status httpd logged for the request "GET target" (the access log's common format), once it is logged.
function loggedStatus(target) {
	const esc = target.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
	const re = new RegExp(`"GET ${esc} HTTP/1\\.1" (\\d{3}) `);
	return until(`the access log's line of GET ${target}`, () => {
		const m = re.exec(fs.readFileSync(ENV.ACCESS_LOG, 'utf8'));
		return m ? Number(m[1]) : undefined;
	});
}

function countIn(file, text) {
	return fs.readFileSync(file, 'utf8').split(text).length - 1;
}

async function handshakes() {
	const res = await fetch(ENV.WS_BACKEND + '/handshakes');
	assert.equal(res.status, 200);
	return res.json();
}

// ---- in the page -------------------------------------------------------------------------------------

// An EventSource on url until its "bye" event (complete), or until the browser gives up on it (failed: an
// answer other than 200 text/event-stream closes it for good).
function eventSource(p, url, withCredentials = false) {
	return p.evaluate(([url, withCredentials]) => new Promise((resolve) => {
		const source = new EventSource(url, { withCredentials });
		const events = [];
		const end = (outcome) => {
			clearTimeout(timer);
			source.close();
			resolve({ outcome, events });
		};
		const timer = setTimeout(() => end('timeout'), 10000);
		for (const type of ['who', 'tick', 'bye']) {
			source.addEventListener(type, (e) => {
				events.push({ type, data: JSON.parse(e.data) });
				if (type === 'bye') end('complete');
			});
		}
		source.onerror = () => {
			if (source.readyState === EventSource.CLOSED) end('failed');
		};
	}), [url, withCredentials]);
}

// A WebSocket on url: sends a message once open, closes once it is echoed. opened: whether the handshake
// succeeded; code: the close code (1000 ours, 1006 a failed handshake).
function webSocket(p, url, message = 'ping ✓ from the page') {
	return p.evaluate(([url, message]) => new Promise((resolve) => {
		const ws = new WebSocket(url);
		const messages = [];
		let opened = false;
		const timer = setTimeout(() => {
			ws.close();
			resolve({ outcome: 'timeout', opened, messages });
		}, 10000);
		ws.onopen = () => {
			opened = true;
			ws.send(message);
		};
		ws.onmessage = (e) => {
			const m = JSON.parse(e.data);
			messages.push(m);
			if (m.type === 'echo') ws.close(1000, 'done');
		};
		ws.onclose = (e) => {
			clearTimeout(timer);
			resolve({ outcome: 'closed', opened, code: e.code, messages });
		};
	}), [url, message]);
}

function setCookie(value) {
	return page.evaluate((v) => {
		document.cookie = `live_token=${v}; Path=/api/live; SameSite=Strict`;
	}, value);
}

function clearCookie() {
	return page.evaluate(() => {
		document.cookie = 'live_token=; Path=/api/live; Max-Age=0; SameSite=Strict';
	});
}

// What the CGI's first event must say: alice, the query and URI without the token, no token anywhere.
function assertCgiSawNoToken(result, probe) {
	assert.equal(result.outcome, 'complete', 'the stream ran to its "bye" event');
	assert.deepEqual(result.events.map((e) => e.type), ['who', 'tick', 'tick', 'tick', 'bye']);
	const who = result.events[0].data;
	assert.equal(who.user, ALICE.id, 'REMOTE_USER');
	assert.equal(redact(who.query), `probe=${probe}`, 'QUERY_STRING without the token');
	assert.equal(redact(who.request_uri), `/api/live/events?probe=${probe}`, 'REQUEST_URI without the token');
	assert.deepEqual(who.token_in, [], 'no variable of the CGI holds a token');
	assert.equal(who.authorization, false);
	assert.ok(!who.cookies.includes('live_token'), 'no token cookie: ' + who.cookies.join(', '));
	assert.ok(!JSON.stringify(result.events).includes(token), 'the token itself is nowhere in the events');
}

// What the backend's hello must say: alice, the target without the token, no token anywhere; then the echo.
function assertBackendSawNoToken(result, probe, message = 'ping ✓ from the page') {
	assert.equal(result.opened, true, 'the handshake succeeded');
	assert.equal(result.code, 1000, 'closed by the page once echoed');
	const [hello, echo] = result.messages;
	assert.equal(hello.type, 'hello');
	assert.equal(redact(hello.url), `/socket?probe=${probe}`, 'the backend\'s target, without the token');
	assert.equal(hello.user, ALICE.id, 'X-Auth0-sub');
	assert.equal(hello.authorization, null);
	assert.equal(redact(hello.cookie), 'null', 'no Cookie header (the token cookie taken out, and no other)');
	assert.deepEqual(hello.token_in, []);
	assert.ok(!JSON.stringify(hello).includes(token), 'the token itself reached no header of the backend');
	assert.deepEqual(echo, { type: 'echo', data: message });
}

// A WebSocket to /api/live/socket?probe=PROBE[&more] from page p, refused: never open, no message, closed
// abnormally; httpd logged 401.
async function assertRefusedSocket(p, probe, more = '') {
	const result = await webSocket(p, `${WS_BASE}/api/live/socket?probe=${probe}${more}`);
	assert.equal(result.opened, false, 'the handshake failed');
	assert.equal(result.code, 1006, 'closed abnormally');
	assert.deepEqual(result.messages, []);
	assert.equal(await loggedStatus(`/api/live/socket?probe=${probe}`), 401, 'httpd answered the handshake 401');
}

// (Top-level tests created one after the other: an after() hook would run after the first one.)
(async () => {
	try {
		fs.mkdirSync(ARTIFACTS, { recursive: true });
		await steps();
	} finally {
		fs.writeFileSync(path.join(ARTIFACTS, 'console.log'), consoleLines.join('\n') + '\n');
		if (context) await context.close();
		if (other) await new Promise((r) => other.close(r));
	}
})();

async function steps() {
	await step('the browser starts, and a page of another origin is served', async () => {
		({ context, page } = await launch(ENV.USER_DATA_DIR, consoleLines, pageErrors));
		// another origin of the same site: localhost on another port, where the browser sends localhost's
		// cookies too (cookies do not tell ports apart; SameSite is about sites)
		other = http.createServer((req, res) => {
			res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
			res.end('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>another origin</title></head>'
				+ '<body><h1>A page of another origin</h1></body></html>');
		});
		await new Promise((resolve, reject) => other.listen(0, '127.0.0.1', resolve).on('error', reject));
		otherBase = `http://localhost:${other.address().port}`;
	});

	await step('an access token of alice\'s for the API, from the tenant', async () => {
		const res = await fetch(ENV.TENANT_URL + '/oauth/token', {
			method: 'POST',
			body: new URLSearchParams({
				grant_type: 'password', client_id: 'demo-web-client', client_secret: 'demo-web-secret',
				username: ALICE.email, password: ALICE.password, audience: 'https://api.example.com/',
				scope: 'openid read:messages',
			}),
		});
		assert.equal(res.status, 200);
		token = (await res.json()).access_token;
		assert.match(token, /^eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+$/, 'a JWT');
		// a character in the middle of the signature: all its bits count
		const [h, p, sig] = token.split('.');
		const i = Math.floor(sig.length / 2);
		wrongToken = [h, p, sig.slice(0, i) + (sig[i] === 'A' ? 'B' : 'A') + sig.slice(i + 1)].join('.');
	});

	await step('the demo\'s live page is public', async () => {
		const res = await page.goto(BASE + '/live.html');
		assert.equal(res.status(), 200);
		assert.equal(await page.title(), 'Live API · mod_auth0 demo');
		assert.deepEqual(await context.cookies(BASE), [], 'no cookie yet');
	});

	await step('(a) EventSource, ?access_token=: events name alice; no token reached the CGI', async () => {
		const r = await eventSource(page, `/api/live/events?probe=a&access_token=${encodeURIComponent(token)}`);
		assertCgiSawNoToken(r, 'a');
		assert.equal(await loggedStatus('/api/live/events?probe=a'), 200, 'logged without the token');
	});

	await step('(b) WebSocket, ?access_token=: opens and echoes; no token reached the backend', async () => {
		const r = await webSocket(page, `${WS_BASE}/api/live/socket?probe=b&access_token=${encodeURIComponent(token)}`);
		assertBackendSawNoToken(r, 'b');
		opened += 1;
		assert.equal(await loggedStatus('/api/live/socket?probe=b'), 101, 'logged without the token');
		const seen = await handshakes();
		assert.equal(seen.length, opened, 'the backend saw this handshake');
		assert.equal(seen.at(-1).url, '/socket?probe=b');
	});

	await step('(c) the token in the cookie live_token, set by the page: both work from the site itself', async () => {
		await setCookie(token);
		const cookies = await context.cookies(BASE + '/api/live/');
		assert.deepEqual(cookies.map((c) => [c.name, c.path, c.sameSite]), [['live_token', '/api/live', 'Strict']]);
		assertCgiSawNoToken(await eventSource(page, '/api/live/events?probe=c'), 'c');
		const r = await webSocket(page, `${WS_BASE}/api/live/socket?probe=c`);
		assertBackendSawNoToken(r, 'c');
		opened += 1;
		assert.equal(await loggedStatus('/api/live/socket?probe=c'), 101);
		await screenshot('live-page-cookie-set');
	});

	await step('(d) a page of another origin (localhost, another port) is refused with that cookie', async () => {
		const attacker = await context.newPage();
		attacker.on('pageerror', (e) => pageErrors.push(String(e)));
		try {
			const res = await attacker.goto(otherBase + '/');
			assert.equal(res.status(), 200);
			const refusalsBefore = countIn(ENV.ERROR_LOG, COOKIE_REFUSED);
			await assertRefusedSocket(attacker, 'd');
			// an EventSource with credentials: the browser sends the request (CORS only hides the answer), so
			// httpd must refuse it, not merely the browser keep the answer from the page
			const e = await eventSource(attacker, `${BASE}/api/live/events?probe=d-events`, true);
			assert.equal(e.outcome, 'failed');
			assert.equal(await loggedStatus('/api/live/events?probe=d-events'), 401, 'httpd answered 401');
			// the browser did send the cookie (same site), and mod_auth0 left it unread: another origin
			await until('mod_auth0\'s two refusals of the cookie in the error log', () =>
				countIn(ENV.ERROR_LOG, COOKIE_REFUSED) >= refusalsBefore + 2 ? true : undefined);
			assert.ok(!(await handshakes()).some((h) => h.url.includes('probe=d')), 'the backend never saw it');
			await screenshot('another-origin', attacker);
		} finally {
			await attacker.close();
		}
	});

	await step('(e) a wrong token is refused: in the query (beside the valid cookie) and in the cookie', async () => {
		const q = `access_token=${encodeURIComponent(wrongToken)}`;
		const e = await eventSource(page, `/api/live/events?probe=e1&${q}`);
		assert.equal(e.outcome, 'failed');
		assert.deepEqual(e.events, []);
		assert.equal(await loggedStatus('/api/live/events?probe=e1'), 401);
		await assertRefusedSocket(page, 'e2', `&${q}`);
		await setCookie(wrongToken);
		await assertRefusedSocket(page, 'e3');
		// no token at all (the cookie gone)
		await clearCookie();
		assert.deepEqual(await context.cookies(BASE + '/api/live/'), []);
		await assertRefusedSocket(page, 'e4');
		assert.equal((await handshakes()).length, opened, 'no refused handshake reached the backend');
	});

	await step('the demo page\'s buttons: events and echoes, the token in the query, then in the cookie', async () => {
		await page.reload();
		await page.fill('#token', token);
		await page.check('input[name="via"][value="query"]');
		await page.click('#events');
		await page.waitForFunction(() => document.querySelector('#log').textContent.includes('events: bye'));
		await page.click('#socket');
		const closed = (n) => page.waitForFunction((n) =>
			document.querySelector('#log').textContent.split('socket: closed').length === n + 1, n);
		await closed(1);
		opened += 1;
		await page.check('input[name="via"][value="cookie"]');
		await page.click('#socket');
		await closed(2);
		opened += 1;
		const lines = (await page.textContent('#log')).trim().split('\n');
		const who = JSON.parse(lines.find((l) => l.startsWith('events: who ')).slice('events: who '.length));
		assert.equal(who.user, ALICE.id);
		assert.deepEqual(who.token_in, []);
		const hellos = lines.filter((l) => l.startsWith('socket: {"type":"hello"')).map((l) => JSON.parse(l.slice(8)));
		assert.equal(hellos.length, 2);
		for (const h of hellos) {
			assert.equal(h.user, ALICE.id);
			assert.deepEqual(h.token_in, []);
			assert.equal(h.url, '/socket');
		}
		await screenshot('live-page');
		await page.click('#forget');
		assert.deepEqual(await context.cookies(BASE + '/api/live/'), []);
	});

	await step('no token in httpd\'s access log, none ever reached the backend', async () => {
		const log = fs.readFileSync(ENV.ACCESS_LOG, 'utf8');
		const [, , goodSig] = token.split('.');
		const [, , wrongSig] = wrongToken.split('.');
		assert.ok(log.includes('/api/live/socket?probe=b'), 'the log has the requests');
		assert.ok(!log.includes(goodSig) && !log.includes(wrongSig), 'no token in the access log');
		assert.ok(!log.includes('access_token'), 'no access_token parameter in the access log');
		const seen = await handshakes();
		assert.equal(seen.length, opened, 'the handshakes that opened, and no other');
		for (const h of seen) {
			assert.deepEqual(h.token_in, [], redact(JSON.stringify(h)));
			assert.ok(!JSON.stringify(h).includes(goodSig));
		}
	});

	await step('no script error and no CSP violation on the way', async () => {
		assert.deepEqual(pageErrors, []);
		assert.deepEqual(consoleLines.filter((l) => /Content Security Policy/i.test(l)), []);
	});
}
