// The mod_auth0 admin page (SetHandler auth0-admin): users, their roles and blocking, organizations and
// their members, through the JSON API of SetHandler auth0-management (data-api on <body>).
//
// No framework and nothing from elsewhere: the page's CSP allows this script alone (by its hash, with the
// page's integrity attribute; mod_auth0/admin_page.c), and styles and connections of this origin only.
// Every value from the tenant is put in the page as text (textContent), never as HTML.
// Changes send the session's CSRF token (data-csrf) in X-CSRF-Token, which the API requires of cookie
// sessions together with a same-origin request. Views live in the URL's fragment (#/users/ID), so a
// reload shows the same view with fresh data.
'use strict';

(function () {
	const body = document.body;
	const API = body.dataset.api.replace(/\/+$/, '');
	const CSRF = body.dataset.csrf;
	const view = document.getElementById('view');
	const status = document.getElementById('status');
	const PER_PAGE = 20;

	// ---- DOM helpers ------------------------------------------------------------------------------------

	// h('a', {href: '#/x', class: 'y'}, 'text', child...) -> element; strings become text nodes.
	function h(tag, attrs, ...children) {
		const el = document.createElement(tag);
		for (const [k, v] of Object.entries(attrs || {})) {
			if (v === undefined || v === null || v === false) continue;
			if (k === 'class') el.className = v;
			else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
			else if (k === 'dataset') Object.assign(el.dataset, v);
			else el.setAttribute(k, v === true ? '' : v);
		}
		for (const c of children.flat()) {
			if (c === undefined || c === null || c === false) continue;
			el.append(c instanceof Node ? c : document.createTextNode(String(c)));
		}
		return el;
	}

	function show(...nodes) {
		view.replaceChildren(...nodes.flat());
	}

	function say(text, kind) {
		status.replaceChildren(text ? h('span', { class: kind || 'ok' }, text) : '');
	}

	function fail(e) {
		if (e.status === 401) {
			say('', '');
			status.replaceChildren(h('span', { class: 'error' }, 'Your session has ended. '),
				h('a', { href: location.href, onclick: () => location.reload() }, 'Sign in again'));
			return;
		}
		say(e.message || String(e), 'error');
	}

	function when(iso) {
		if (!iso) return '—';
		const d = new Date(iso);
		return isNaN(d) ? iso : d.toLocaleString();
	}

	// ---- the JSON API ---------------------------------------------------------------------------------

	// api('GET', ['users', id, 'roles'], {per_page: 100}) -> parsed JSON (null for 204); throws an Error
	// with .status and the API's message.
	async function api(method, segments, query, payload) {
		let url = API + '/' + segments.map(encodeURIComponent).join('/');
		const q = new URLSearchParams();
		for (const [k, v] of Object.entries(query || {})) if (v !== undefined && v !== '') q.set(k, v);
		if ([...q].length) url += '?' + q;
		const headers = { Accept: 'application/json' };
		const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
		if (method !== 'GET') headers['X-CSRF-Token'] = CSRF;
		if (payload !== undefined) {
			headers['Content-Type'] = 'application/json';
			init.body = JSON.stringify(payload);
		}
		const res = await fetch(url, init);
		let data = null;
		const text = res.status === 204 ? '' : await res.text();
		if (text) {
			try { data = JSON.parse(text); } catch (_) { data = { message: text.slice(0, 200) }; }
		}
		if (!res.ok) {
			const e = new Error((data && data.message) || res.status + ' ' + res.statusText);
			e.status = res.status;
			throw e;
		}
		return data;
	}

	// A list answer: a bare array, or an object holding it under `field` (include_totals).
	function items(data, field) {
		return Array.isArray(data) ? data : (data && data[field]) || [];
	}

	// ---- views ------------------------------------------------------------------------------------------

	async function usersView(params) {
		const q = params.get('q') || '';
		const page = Math.max(0, parseInt(params.get('page') || '0', 10) || 0);
		const input = h('input', { type: 'search', id: 'q', name: 'q', value: q, placeholder: 'email, name, or a query such as email:*@example.com', 'aria-label': 'Search users' });
		const form = h('form', {
			class: 'inline', id: 'search-form', onsubmit: (ev) => {
				ev.preventDefault();
				go('#/users?' + new URLSearchParams({ q: input.value.trim() }));
			},
		}, input, h('button', { type: 'submit', id: 'search' }, 'Search'));
		const table = h('table', { id: 'users' });
		show(h('h1', {}, 'Users'), form, table);
		const data = await api('GET', ['users'], { q, page, per_page: PER_PAGE, include_totals: 'true' });
		const users = items(data, 'users');
		table.append(h('thead', {}, h('tr', {}, h('th', {}, 'Email'), h('th', {}, 'Name'), h('th', {}, 'Status'),
			h('th', {}, 'User ID'))));
		table.append(h('tbody', {}, users.map((u) => h('tr', { dataset: { userId: u.user_id } },
			h('td', {}, h('a', { class: 'user-link', href: '#/users/' + encodeURIComponent(u.user_id) }, u.email || u.user_id)),
			h('td', {}, u.name || ''),
			h('td', {}, u.blocked ? h('span', { class: 'badge blocked' }, 'blocked') : h('span', { class: 'badge active' }, 'active')),
			h('td', { class: 'id' }, u.user_id)))));
		if (!users.length) table.after(h('p', { class: 'muted', id: 'no-users' }, 'No user matches.'));
		const total = data && typeof data.total === 'number' ? data.total : null;
		const first = page * PER_PAGE;
		const pager = h('div', { class: 'pager' },
			h('button', { class: 'secondary', id: 'prev', disabled: page === 0, onclick: () => go(pageHash(q, page - 1)) }, 'Previous'),
			h('span', {}, users.length ? `${first + 1}–${first + users.length}` + (total !== null ? ` of ${total}` : '') : ''),
			h('button', { class: 'secondary', id: 'next', disabled: total !== null ? first + users.length >= total : users.length < PER_PAGE, onclick: () => go(pageHash(q, page + 1)) }, 'Next'));
		view.append(pager);
	}

	function pageHash(q, page) {
		return '#/users?' + new URLSearchParams({ q, page: String(page) });
	}

	async function userView(id) {
		const [user, roles, all] = await Promise.all([
			api('GET', ['users', id]),
			api('GET', ['users', id, 'roles'], { per_page: 100 }).then((d) => items(d, 'roles')),
			api('GET', ['roles'], { per_page: 100 }).then((d) => items(d, 'roles'), (e) => e),
		]);
		const title = user.email || user.name || user.user_id;
		const blocked = !!user.blocked;
		const toggle = h('button', {
			id: blocked ? 'unblock' : 'block', class: blocked ? 'secondary' : 'danger', onclick: () =>
				change(toggle, () => api('PATCH', ['users', id], {}, { blocked: !blocked }),
					blocked ? `${title} is unblocked.` : `${title} is blocked.`),
		}, blocked ? 'Unblock' : 'Block');
		const details = h('dl', { id: 'user-details' },
			h('dt', {}, 'User ID'), h('dd', { class: 'id' }, user.user_id),
			h('dt', {}, 'Name'), h('dd', {}, user.name || '—'),
			h('dt', {}, 'Email'), h('dd', {}, user.email || '—', user.email && !user.email_verified ? ' (not verified)' : ''),
			h('dt', {}, 'Status'), h('dd', { id: 'user-status' },
				h('span', { class: blocked ? 'badge blocked' : 'badge active' }, blocked ? 'blocked' : 'active')),
			h('dt', {}, 'Created'), h('dd', {}, when(user.created_at)),
			h('dt', {}, 'Last login'), h('dd', {}, when(user.last_login)),
			h('dt', {}, 'Logins'), h('dd', {}, user.logins_count === undefined ? '—' : String(user.logins_count)));

		const list = h('ul', { class: 'roles', id: 'user-roles' }, roles.map((r) => h('li', { dataset: { roleId: r.id } },
			h('span', { class: 'badge role' }, r.name), h('span', { class: 'muted' }, r.description || ''),
			h('button', {
				class: 'secondary remove-role', onclick: (ev) => change(ev.target,
					() => api('DELETE', ['users', id, 'roles'], {}, { roles: [r.id] }), `Role ${r.name} removed.`),
			}, 'Remove'))));
		if (!roles.length) list.append(h('li', { class: 'muted' }, 'No role.'));

		let assign;
		if (all instanceof Error) {
			assign = h('p', { class: 'error' }, 'The list of roles is not available: ' + all.message);
		} else {
			const have = new Set(roles.map((r) => r.id));
			const choices = all.filter((r) => !have.has(r.id));
			const select = h('select', { id: 'role-select', 'aria-label': 'Role to assign', disabled: !choices.length },
				choices.length ? choices.map((r) => h('option', { value: r.id }, r.name))
					: h('option', { value: '' }, 'every role is assigned'));
			assign = h('form', {
				class: 'inline', id: 'assign-form', onsubmit: (ev) => {
					ev.preventDefault();
					const role = choices.find((r) => r.id === select.value);
					if (role)
						change(ev.submitter, () => api('POST', ['users', id, 'roles'], {}, { roles: [role.id] }),
							`Role ${role.name} assigned.`);
				},
			}, select, h('button', { type: 'submit', id: 'assign-role', disabled: !choices.length }, 'Assign role'));
		}
		show(h('p', {}, h('a', { href: '#/users' }, '← Users')), h('h1', { id: 'user-title' }, title),
			h('div', { class: 'inline' }, toggle), h('h2', {}, 'Details'), details, h('h2', {}, 'Roles'), list, assign);
	}

	async function organizationsView() {
		const table = h('table', { id: 'organizations' });
		show(h('h1', {}, 'Organizations'), table);
		const orgs = items(await api('GET', ['organizations'], { take: 100 }), 'organizations');
		table.append(h('thead', {}, h('tr', {}, h('th', {}, 'Name'), h('th', {}, 'Display name'), h('th', {}, 'ID'))));
		table.append(h('tbody', {}, orgs.map((o) => h('tr', { dataset: { orgId: o.id } },
			h('td', {}, h('a', { class: 'org-link', href: '#/organizations/' + encodeURIComponent(o.id) }, o.name)),
			h('td', {}, o.display_name || ''), h('td', { class: 'id' }, o.id)))));
		if (!orgs.length) table.after(h('p', { class: 'muted' }, 'No organization.'));
	}

	async function organizationView(id) {
		const [org, members] = await Promise.all([
			api('GET', ['organizations', id]),
			api('GET', ['organizations', id, 'members'], { take: 100 }).then((d) => items(d, 'members')),
		]);
		const table = h('table', { id: 'members' },
			h('thead', {}, h('tr', {}, h('th', {}, 'Email'), h('th', {}, 'Name'), h('th', {}, 'User ID'))),
			h('tbody', {}, members.map((m) => h('tr', { dataset: { userId: m.user_id } },
				h('td', {}, h('a', { class: 'user-link', href: '#/users/' + encodeURIComponent(m.user_id) }, m.email || m.user_id)),
				h('td', {}, m.name || ''), h('td', { class: 'id' }, m.user_id)))));
		show(h('p', {}, h('a', { href: '#/organizations' }, '← Organizations')),
			h('h1', { id: 'org-title' }, org.display_name || org.name),
			h('p', { class: 'muted' }, org.name + ' · ', h('code', {}, org.id)), h('h2', {}, 'Members'), table,
			members.length ? '' : h('p', { class: 'muted' }, 'No member.'));
	}

	// Runs a change, then shows the view again with the tenant's data and a message.
	async function change(button, action, done) {
		if (button) button.disabled = true;
		try {
			await action();
			await render();
			say(done, 'ok');
		} catch (e) {
			fail(e);
			if (button) button.disabled = false;
		}
	}

	// ---- routing ------------------------------------------------------------------------------------------

	function go(hash) {
		if (location.hash === hash) render();
		else location.hash = hash;
	}

	async function render() {
		const hash = location.hash.replace(/^#/, '') || '/users';
		const [path, query] = hash.split('?');
		const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
		const params = new URLSearchParams(query || '');
		for (const a of document.querySelectorAll('header nav a'))
			a.classList.toggle('active', a.id === 'nav-' + parts[0]);
		try {
			if (parts[0] === 'users' && parts.length === 1) await usersView(params);
			else if (parts[0] === 'users' && parts.length === 2) await userView(parts[1]);
			else if (parts[0] === 'organizations' && parts.length === 1) await organizationsView();
			else if (parts[0] === 'organizations' && parts.length === 2) await organizationView(parts[1]);
			else show(h('p', {}, 'Nothing here. ', h('a', { href: '#/users' }, 'Users')));
		} catch (e) {
			if (!view.querySelector('h1')) show(h('h1', {}, 'Something went wrong'));
			fail(e);
		}
	}

	window.addEventListener('hashchange', () => {
		say('');
		render();
	});
	if (!body.dataset.logout) document.getElementById('logout').hidden = true;
	render();
})();
