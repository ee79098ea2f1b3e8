// /live.html: the API's /api/live/events (server-sent events) and /api/live/socket (a WebSocket, echoed), with
// the access token in the query (?access_token=...) or in the cookie live_token, which httpd reads only from
// this site's pages. Each line of #log is one thing that happened, as "events: ..." or "socket: ...".
'use strict';

const COOKIE = 'live_token';
const log = document.getElementById('log');

function say(line) {
	log.textContent += line + '\n';
}

// the URL to use, the cookie set (or left alone) for the way chosen
function prepare(path) {
	const token = document.getElementById('token').value.trim();
	const via = document.querySelector('input[name="via"]:checked').value;
	if (!token) {
		say('paste an access token first');
		return null;
	}
	if (via === 'cookie') {
		// for /api/live only; SameSite=Strict keeps other sites' requests from carrying it, and httpd refuses it
		// from other origins of this site (another port); over https it would be __Host-live_token; Secure
		document.cookie = `${COOKIE}=${token}; Path=/api/live; SameSite=Strict`;
		return path;
	}
	return `${path}?access_token=${encodeURIComponent(token)}`;
}

document.getElementById('events').addEventListener('click', () => {
	const url = prepare('/api/live/events');
	if (!url)
		return;
	const source = new EventSource(url);
	for (const type of ['who', 'tick', 'bye']) {
		source.addEventListener(type, (e) => {
			say(`events: ${type} ${e.data}`);
			if (type === 'bye')
				source.close(); // else the browser reconnects at the end of the stream
		});
	}
	source.onerror = () => {
		if (source.readyState === EventSource.CLOSED)
			say('events: refused (no valid token: 401)');
	};
});

document.getElementById('socket').addEventListener('click', () => {
	const url = prepare('/api/live/socket');
	if (!url)
		return;
	const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${url}`);
	ws.onopen = () => {
		say('socket: open');
		ws.send(`hello at ${new Date().toISOString()}`);
	};
	ws.onmessage = (e) => {
		say(`socket: ${e.data}`);
		if (JSON.parse(e.data).type === 'echo')
			ws.close(1000, 'done');
	};
	ws.onclose = (e) => say(e.code === 1000 ? 'socket: closed'
		: `socket: the handshake failed (${e.code}: no valid token, or no backend)`);
});

document.getElementById('forget').addEventListener('click', () => {
	document.cookie = `${COOKIE}=; Path=/api/live; Max-Age=0; SameSite=Strict`;
	say('the cookie is gone');
});
