# SetHandler auth0-management: routing to Management operations, Auth0ManagementAllow, query and
# pagination pass-through, bodies, traversal, HEAD/OPTIONS, and the tenant's answers (conf/admin.conf).
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
use Auth0Test::Admin;
use Test::More;
use URI;

reset_tenant();
my ($b, $csrf) = admin_login('alice@example.com');
ok $csrf && length($csrf) >= 22, 'the admin page carries the session CSRF token';
my $BOB   = 'auth0%7Cb0b000000000000000000002';
my $ADMIN = 'rol_Admin00000000001';

sub get { api_call($b, GET => @_) }
sub change { my ($m, $p, %o) = @_; api_call($b, $m, $p, csrf => $csrf, %o) }
sub err_is {
	my ($res, $status, $error, $name) = @_;
	my $j = json_of($res);
	is $res->code, $status, "$name: $status";
	is $j->{error}, $error, "$name: error $error" if defined $error;
	is $j->{status}, $status, "$name: status in the body";
	like $res->header('Content-Type') // '', qr{^application/json}, "$name: JSON";
	return $j;
}

# ---- reads ---------------------------------------------------------------------------------------------
my $res = get('/admin/api/users?q=bob');
is $res->code, 200, 'GET users?q=bob: 200';
like $res->header('Content-Type'), qr{^application/json}, '... JSON';
like $res->header('Cache-Control') // '', qr/no-store/, '... not cached';
my $users = json_of($res);
is ref $users, 'ARRAY', '... the tenant\'s answer as is (a bare array without include_totals)';
is_deeply [map { $_->{email} } @$users], ['bob@example.com'], '... bob only';
my $rec = last_mgmt_request('/api/v2/users');
is $rec->{query}, 'q=bob', 'the tenant got q and nothing else (no defaults added)';
like $rec->{headers}{authorization} // '', qr/^Bearer ey/, 'with the Management token';

$res = get("/admin/api/users/$BOB");
is $res->code, 200, 'GET users/{id} with an encoded |';
is json_of($res)->{email}, 'bob@example.com', '... bob';
is last_mgmt_request('/api/v2/users/{id}')->{path}, "/api/v2/users/$BOB", '... same path at the tenant';

# ---- pagination passes through ------------------------------------------------------------------------
$res = get('/admin/api/users?page=1&per_page=2&include_totals=true');
my $page = json_of($res);
is $res->code, 200, 'offset pagination: 200';
is $page->{start}, 2, '... start';
is $page->{limit}, 2, '... limit';
ok $page->{total} >= 5, '... total';
is scalar @{$page->{users}}, 2, '... two users';
is last_mgmt_request('/api/v2/users')->{query}, 'page=1&per_page=2&include_totals=true', '... query as given';

$res = get('/admin/api/organizations/org_acme123/members?take=1');
my $first = json_of($res);
is $res->code, 200, 'checkpoint pagination: 200';
is scalar @{$first->{members} // []}, 1, '... one member';
ok $first->{next}, '... and a cursor';
is last_mgmt_request('/api/v2/organizations/{id}/members')->{query}, 'take=1', '... take only (no page/per_page)';
$res = get('/admin/api/organizations/org_acme123/members?take=1&from=' . URI::Escape::uri_escape($first->{next}));
my $second = json_of($res);
is $res->code, 200, '... next page';
isnt $second->{members}[0]{user_id}, $first->{members}[0]{user_id}, '... another member';

# ---- query parameters are checked by libauth0, before any request ---------------------------------------
my $before = scalar mgmt_requests('/api/v2/users', 1000);
my $j = err_is(get('/admin/api/users?bogus=1'), 400, 'invalid_request', 'unknown query parameter');
is $j->{parameter}, 'bogus', '... names it';
like $j->{message}, qr/bogus/, '... in the message too';
$j = err_is(get('/admin/api/users?include_totals=maybe'), 400, 'invalid_request', 'bad boolean');
is $j->{parameter}, 'include_totals', '... names it';
$j = err_is(get('/admin/api/users?per_page=ten'), 400, 'invalid_request', 'bad integer');
is $j->{parameter}, 'per_page', '... names it';
$j = err_is(get('/admin/api/users?per_page=%FF'), 400, 'invalid_request', 'a value that is not UTF-8');
like $j->{message}, qr/per_page/, '... still has its message (its bytes outside ASCII written ?)';
err_is(get('/admin/api/users?q=%ZZ'), 400, 'invalid_query', 'malformed escape');
is scalar mgmt_requests('/api/v2/users', 1000), $before, 'none of them reached the tenant';

# ---- tenant 4xx pass through with their status ------------------------------------------------------------
$j = err_is(get('/admin/api/users/auth0%7Cnobody'), 404, 'Not Found', 'unknown user');
is $j->{message}, 'The user does not exist.', '... the tenant\'s message';
is $j->{errorCode}, 'inexistent_user', '... and errorCode';
$j = err_is(get('/admin/api/users?per_page=500'), 400, undef, 'per_page out of range (the tenant\'s 400)');
is $j->{errorCode}, 'invalid_query_string', '... errorCode';
$j = err_is(change(DELETE => "/admin/api/users/$BOB"), 502, 'management_token_insufficient_scope',
	'a scope the application lacks: the server\'s problem (502), not the caller\'s');
is $j->{errorCode}, 'insufficient_scope', '... insufficient_scope';
like $j->{message}, qr/grant lacks a scope.*delete:users/, '... the tenant says which';

# ---- Auth0ManagementAllow -----------------------------------------------------------------------------------
$j = err_is(get('/admin/api/clients'), 403, 'operation_not_allowed', 'clients.list is not allowed');
like $j->{message}, qr/clients\.list/, '... names the operation';
is get('/admin/api/roles')->code, 200, 'roles.list is allowed';
is get("/admin/api/users/$BOB/roles")->code, 200, 'users.* covers users.roles.list';
err_is(get('/narrow/api/users'), 403, 'operation_not_allowed', 'narrow: users.list');
is get("/narrow/api/users/$BOB")->code, 200, 'narrow: users.get';
is get("/narrow/api/users/$BOB/roles")->code, 200, 'narrow: users.roles.list';
err_is(get("/none/api/users/$BOB"), 403, 'operation_not_allowed', 'no Auth0ManagementAllow: nothing');
$before = scalar mgmt_requests('/api/v2/*', 1000);
err_is(change(PATCH => "/narrow/api/users/$BOB", json => {blocked => JSON::PP::true}), 403,
	'operation_not_allowed', 'narrow: users.update');
is scalar mgmt_requests('/api/v2/*', 1000), $before, 'refused operations never reach the tenant';

# ---- routing, methods, HEAD, OPTIONS -----------------------------------------------------------------------
err_is(get('/admin/api/no-such-thing'), 404, 'unknown_operation', 'unknown path');
err_is(get('/admin/api'), 404, 'unknown_operation', 'the prefix itself');
$res = change(PUT => '/admin/api/users');
err_is($res, 405, 'method_not_allowed', 'PUT users');
is $res->header('Allow'), 'GET, HEAD, POST, OPTIONS', '... Allow';
$res = api_call($b, OPTIONS => "/admin/api/users/$BOB");
is $res->code, 204, 'OPTIONS: 204';
is $res->header('Allow'), 'GET, HEAD, PATCH, DELETE, OPTIONS', '... Allow lists the operations at the path';
ok !$res->header('Access-Control-Allow-Origin'), '... and no CORS';
$res = api_call($b, HEAD => "/admin/api/users/$BOB");
is $res->code, 200, 'HEAD: 200';
is $res->content, '', '... no body';
like $res->header('Content-Type'), qr{^application/json}, '... JSON headers';
$res = api_call($b, PROPFIND => "/admin/api/users/$BOB");
err_is($res, 405, 'method_not_allowed', 'PROPFIND');

# ---- traversal and non-canonical paths ------------------------------------------------------------------------
$before = scalar mgmt_requests('/api/v2/*', 1000);
for my $case (
	['/admin/api/roles/%2e%2e/users',      'encoded dot-dot'],
	['/admin/api/roles/../users',          'dot-dot'],
	['/admin/api/users/./x',               'dot'],
	["/admin/api/users/$BOB%2Froles",      'encoded slash'],
	["/admin/api/users/$BOB%5Croles",      'encoded backslash'],
	['/admin//api/users',                  'doubled slash before the prefix ends'],
	['/admin/api/users//x',                'empty segment'],
	['/admin/%61pi/users',                 'encoded prefix'],
	['/admin/api/users/%00',               'encoded NUL'],
) {
	my ($path, $name) = @$case;
	my $req = HTTP::Request->new(GET => admin_url(''));
	$req->uri(admin_url('') =~ s{/$}{}r . $path);    # as written, not normalised by URI
	$req->header(Accept => 'application/json');
	my $r = $b->ua->request($req);
	ok $r->code == 400 || $r->code == 404, "$name: refused (" . $r->code . ')';
	if ($r->code == 400 && ($r->header('Content-Type') // '') =~ /json/) {
		like json_of($r)->{error}, qr/^invalid_path$|^invalid_query$/, "$name: invalid_path";
	}
}
is scalar mgmt_requests('/api/v2/*', 1000), $before, 'no traversal reached the tenant';

# ---- bodies ------------------------------------------------------------------------------------------------------
$res = change(PATCH => "/admin/api/users/$BOB", json => {blocked => JSON::PP::true});
is $res->code, 200, 'PATCH users/{id}: 200';
is json_of($res)->{blocked}, JSON::PP::true, '... the tenant\'s answer';
is json_of(get("/admin/api/users/$BOB"))->{blocked}, JSON::PP::true, '... bob is blocked';
is last_mgmt_request('/api/v2/users/{id}')->{method}, 'GET', 'tenant saw the GET';
my @patches = grep { $_->{method} eq 'PATCH' } mgmt_requests('/api/v2/users/{id}', 10);
is $patches[-1]{body}, '{"blocked":true}', 'the body reached the tenant as sent';
is change(PATCH => "/admin/api/users/$BOB", json => {blocked => JSON::PP::false})->code, 200, 'unblock';

$res = change(POST => "/admin/api/users",
	json => {connection => 'Username-Password-Authentication', email => 'dave@example.com', password => 'Dave-Passw0rd!'});
is $res->code, 201, 'POST users: the tenant\'s 201 Created is kept' or diag $res->content;
is json_of($res)->{email}, 'dave@example.com', '... with the created user';

$res = change(POST => "/admin/api/users/$BOB/roles", json => {roles => [$ADMIN]});
is $res->code, 204, 'POST users/{id}/roles: 204 (no body)';
is $res->content, '', '... empty';
ok((grep { $_->{id} eq $ADMIN } @{json_of(get("/admin/api/users/$BOB/roles"))}), '... bob has the admin role');
$res = change(DELETE => "/admin/api/users/$BOB/roles", json => {roles => [$ADMIN]});
is $res->code, 204, 'DELETE users/{id}/roles with a body: 204';
ok !(grep { $_->{id} eq $ADMIN } @{json_of(get("/admin/api/users/$BOB/roles"))}), '... removed';

$before = scalar mgmt_requests('/api/v2/*', 1000);
err_is(change(PATCH => "/admin/api/users/$BOB", body => '{"blocked":true}', type => 'text/plain'), 415,
	'unsupported_media_type', 'text/plain body');
err_is(change(PATCH => "/admin/api/users/$BOB", body => 'blocked=true', type => 'application/x-www-form-urlencoded'),
	415, 'unsupported_media_type', 'form body');
err_is(change(PATCH => "/admin/api/users/$BOB", body => '{"blocked":true}'), 415, 'unsupported_media_type',
	'no Content-Type');
ok change(PATCH => "/admin/api/users/$BOB", body => '{"blocked":false}', type => 'application/json; charset=utf-8')
  ->code == 200, 'application/json with a charset is fine';
$before = scalar mgmt_requests('/api/v2/*', 1000);
$j = err_is(change(PATCH => "/admin/api/users/$BOB", body => '{"blocked":', type => 'application/json'), 400,
	'invalid_body', 'truncated JSON');
like $j->{message}, qr/not valid JSON/, '... says so';
err_is(change(PATCH => "/admin/api/users/$BOB", body => '{"blocked":true,"blocked":false}', type => 'application/json'),
	400, 'invalid_body', 'duplicate keys');
$res = change(PATCH => "/admin/api/users/$BOB", body => '{"name":"' . ('x' x (70 * 1024)) . '"}',
	type => 'application/json');
err_is($res, 413, 'body_too_large', '70 KiB body');
$res = change(PATCH => "/admin/api/users/$BOB", body => '{"name":"' . ('x' x (63 * 1024)) . '"}',
	type => 'application/json');
isnt $res->code, 413, '63 KiB is below the limit (' . $res->code . ')';
$before = scalar mgmt_requests('/api/v2/*', 1000);
err_is(api_call($b, GET => "/admin/api/users/$BOB", body => '{}', type => 'application/json'), 400, 'invalid_body',
	'a body for an operation that takes none');
is scalar mgmt_requests('/api/v2/*', 1000), $before, 'refused bodies never reach the tenant';
is change(PATCH => "/admin/api/users/$BOB", json => {name => 'Bob Builder'})->code, 200, 'name restored';

# ---- not protected by mod_auth0: refused --------------------------------------------------------------------------
my $anon = browser();
$j = err_is(api_call($anon, GET => "/open/api/users/$BOB"), 403, 'not_protected', 'an unprotected API location');
is api_call($anon, GET => '/open/page/')->code, 403, 'an unprotected page';
# and without a session the protected API is a 401 for a fetch() (no redirect to the login page)
is api_call($anon, GET => '/admin/api/users')->code, 401, 'no session: 401';

done_testing;
