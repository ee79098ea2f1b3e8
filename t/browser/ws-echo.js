// The demo's WebSocket backend (conf/demo: /api/live/socket is proxied to ws://127.0.0.1:PORT/socket): an
// echo server that says what reached it, so that a test can tell that the browser's access token did not.
//
//   node t/browser/ws-echo.js --listen 127.0.0.1:PORT
//
// On each connection it first sends {"type": "hello", "url", "cookie", "authorization", "user", "token_in"}:
// the handshake's target, Cookie and Authorization headers, the user httpd names (X-Auth0-sub, which mod_auth0
// sets for proxied backends) and the names of what holds anything like a token (a JWT, or an access_token
// parameter). Then each message comes back as {"type": "echo", "data": "..."}.
// GET /handshakes (plain http, straight to the backend: httpd proxies /socket only) lists every handshake seen,
// as the hello says it, for a test to read. Listens on loopback only; SIGTERM stops it.
'use strict';

const http = require('node:http');
const { WebSocketServer } = require('ws');

const arg = process.argv.indexOf('--listen');
const m = arg > 0 && /^(127\.\d+\.\d+\.\d+):(\d+)$/.exec(process.argv[arg + 1] || '');
if (!m) {
	console.error('usage: ws-echo.js --listen 127.0.0.1:PORT');
	process.exit(2);
}

const TOKEN_LIKE = /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.|access[_.[ ]token/i;
const handshakes = [];

function describe(req) {
	const where = Object.entries(req.headers).filter(([, v]) => TOKEN_LIKE.test(String(v))).map(([k]) => k);
	if (TOKEN_LIKE.test(req.url)) where.unshift('url');
	return {
		type: 'hello',
		url: req.url,
		cookie: req.headers.cookie ?? null,
		authorization: req.headers.authorization ?? null,
		user: req.headers['x-auth0-sub'] ?? null,
		token_in: where,
	};
}

const server = http.createServer((req, res) => {
	if (req.method === 'GET' && req.url === '/handshakes') {
		res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
		res.end(JSON.stringify(handshakes));
		return;
	}
	res.writeHead(426, { 'Content-Type': 'text/plain', Upgrade: 'websocket', Connection: 'Upgrade' });
	res.end('a WebSocket endpoint: connect with a WebSocket\n');
});
const wss = new WebSocketServer({ server, path: '/socket', maxPayload: 64 * 1024 });
wss.on('connection', (ws, req) => {
	const hello = describe(req);
	handshakes.push(hello);
	ws.send(JSON.stringify(hello));
	ws.on('message', (data, isBinary) => {
		ws.send(JSON.stringify({ type: 'echo', data: isBinary ? `(${data.length} bytes)` : data.toString() }));
	});
	ws.on('error', () => ws.terminate());
});

server.listen(Number(m[2]), m[1], () => console.log(`ws-echo: listening on ${m[1]}:${server.address().port}`));
process.on('SIGTERM', () => {
	for (const ws of wss.clients) ws.terminate();
	server.close(() => process.exit(0));
	server.closeAllConnections();
});
