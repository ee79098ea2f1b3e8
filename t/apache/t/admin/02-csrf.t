# Security of the admin API: for browser sessions, changes need a same-origin request AND the session's
# CSRF token (X-CSRF-Token); bearer requests need neither; Require applies; one audit line per change,
# without secrets.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
use Auth0Test::Api;
use Auth0Test::Admin;
use Test::More;

reset_tenant();
my ($b, $csrf) = admin_login('alice@example.com');
my $BOB  = 'auth0%7Cb0b000000000000000000002';
my $PATH = "/admin/api/users/$BOB";
my @block = (json => {blocked => JSON::PP::true});

sub patches { scalar grep { $_->{method} eq 'PATCH' } mgmt_requests('/api/v2/users/{id}', 1000) }

sub refused {
	my ($res, $name, $why) = @_;
	is $res->code, 403, "$name: 403";
	is json_of($res)->{error}, 'csrf', "$name: error csrf";
	like json_of($res)->{message}, $why, "$name: says why" if $why;
}

# ---- the admin page is no part of another page -------------------------------------------------------------
{
	my $res = $b->get(admin_url('/ssi/admin.shtml'));
	my $body = $res->decoded_content // '';
	like $body, qr{<p>before</p>.*<p>after</p>}s, 'a signed-in page including the admin page (SSI) is served';
	unlike $body, qr/\Q$csrf\E/, '... without the session\'s CSRF token in it';
	like $body, qr/an error occurred while processing this directive/, '... the include refused';
}

# ---- a session does not count as a bearer token ------------------------------------------------------------
is $b->get(admin_url('/to-bearer'))->code, 403,
	'an internal redirect of a signed-in page into a bearer location: 403 (the session is no token for its API)';

# ---- browser sessions ----------------------------------------------------------------------------------
my $before = patches();
refused(api_call($b, PATCH => $PATH, @block), 'no token', qr/X-CSRF-Token header is missing/);
refused(api_call($b, PATCH => $PATH, @block, csrf => 'x' . $csrf), 'a wrong token', qr/does not match/);
refused(api_call($b, PATCH => $PATH, @block, csrf => ''), 'an empty token');
refused(api_call($b, PATCH => $PATH, @block, csrf => $csrf, origin => 'https://evil.example',
	site => 'cross-site'), 'a cross-site request with the token', qr/Sec-Fetch-Site/);
refused(api_call($b, PATCH => $PATH, @block, csrf => $csrf, origin => 'https://evil.example', site => undef),
	'a foreign Origin (older browser)', qr/Origin/);
refused(api_call($b, PATCH => $PATH, @block, csrf => $csrf, origin => 'null', site => undef), 'Origin: null');
refused(api_call($b, PATCH => $PATH, @block, csrf => $csrf, origin => undef, site => 'same-site'),
	'a sibling subdomain (same-site)');
refused(api_call($b, PATCH => $PATH, @block, csrf => $csrf, origin => undef, site => 'none'),
	'Sec-Fetch-Site none (typed URL) for a change');
refused(api_call($b, PATCH => $PATH, @block, csrf => $csrf, origin => undef, site => undef),
	'neither Origin nor Sec-Fetch-Site', qr/neither/);
refused(api_call($b, PATCH => $PATH, @block, csrf => $csrf, origin => 'http://127.0.0.1:' . admin_port(),
	site => undef), 'the same host over http is another origin');
refused(api_call($b, POST => "$PATH/roles", json => {roles => ['rol_Admin00000000001']}), 'POST without token');
refused(api_call($b, DELETE => "$PATH/roles", json => {roles => ['rol_Reader0000000001']}), 'DELETE without token');
is patches(), $before, 'no refused change reached the tenant';

# another session's token does not work in this one
my ($b2, $csrf2) = admin_login('alice@example.com');
isnt $csrf2, $csrf, 'each session has its own token';
refused(api_call($b, PATCH => $PATH, @block, csrf => $csrf2), 'the token of another session');

my $mark = log_mark();
my $res = api_call($b, PATCH => $PATH, json => {blocked => JSON::PP::true, user_metadata => {secret => 's3cr3t-VALUE'}},
	csrf => $csrf);
is $res->code, 200, 'same origin (Origin + Sec-Fetch-Site) and the token: 200';
my $log = log_since($mark);
my @audit = audit_lines($log);
is scalar @audit, 1, 'one audit line for the change';
like $audit[0], qr/admin audit: PATCH user=auth0\|a11ce0000000000000000001 via=session op=users\.update /,
	'... who, how, which operation';
like $audit[0], qr/target=\[id=auth0\|b0b000000000000000000002\]/, '... the target';
like $audit[0], qr/fields=\[blocked,user_metadata\] status=200$/, '... body field names and the result';
unlike $log, qr/s3cr3t-VALUE/, 'no value from the body is logged';
unlike $log, qr/\Q$csrf\E/, 'nor the CSRF token';
my $cookie = $b->cookie('__Host-auth0_session') // '';
unlike $log, qr/\Q$cookie\E/, 'nor the session cookie' if length $cookie > 20;
unlike $log, qr/Bearer ey|eyJ[A-Za-z0-9_-]{20,}\.eyJ/, 'nor a token';

is api_call($b, PATCH => $PATH, json => {blocked => JSON::PP::false}, csrf => $csrf, origin => undef)->code, 200,
	'Sec-Fetch-Site same-origin alone (no Origin) and the token: 200';
is api_call($b, PATCH => $PATH, json => {blocked => JSON::PP::false}, csrf => $csrf, site => undef)->code, 200,
	'a same Origin alone (no Sec-Fetch-Site) and the token: 200';

# reads need no token, and leave no audit line
$mark = log_mark();
is api_call($b, GET => $PATH, origin => 'https://evil.example', site => 'cross-site')->code, 200,
	'a read needs no token (the same-origin policy keeps its answer from other sites)';
is scalar(audit_lines(log_since($mark))), 0, 'reads are not audited';

# refusals are audited too
$mark = log_mark();
api_call($b, PATCH => $PATH, @block);
@audit = audit_lines(log_since($mark));
is scalar @audit, 1, 'a refused change: one audit line';
like $audit[0], qr/status=403 refused=csrf$/, '... with the refusal';

# Require auth0-role admin: bob (reader) is refused the API and the page
my ($bob) = eval { admin_login('bob@example.com', '/') };
ok $bob, 'bob can sign in to the site';
my $r = api_call($bob, GET => '/admin/api/users');
is $r->code, 403, 'bob (not admin) is refused the API' or diag $r->as_string;
is $bob->get(admin_url('/admin/'))->code, 403, '... and the page';

# ---- bearer tokens: no ambient credential, no CSRF token ----------------------------------------------------
my $m2m = m2m_token();
$mark = log_mark();
$res = bearer_call($m2m, PATCH => "/bearer/api/users/$BOB", json => {blocked => JSON::PP::true});
is $res->code, 200, 'bearer: a change without CSRF token or Origin: 200';
is json_of($res)->{blocked}, JSON::PP::true, '... done';
@audit = audit_lines(log_since($mark));
is scalar @audit, 1, 'bearer: one audit line';
like $audit[0], qr/user=demo-m2m-client\@clients via=bearer op=users\.update .* status=200$/, '... who and how';
unlike log_since($mark), qr/\Q$m2m\E/, '... the bearer token is not logged';
is bearer_call($m2m, PATCH => "/bearer/api/users/$BOB", json => {blocked => JSON::PP::false},
	headers => {Origin => 'https://evil.example', 'Sec-Fetch-Site' => 'cross-site'})->code, 200,
	'bearer: even with foreign browser headers (a bearer token is never sent by a browser on its own)';
is bearer_call(undef, GET => "/bearer/api/users/$BOB")->code, 401, 'bearer: no token, 401';
my $alice_token = user_token(scope => 'openid profile email');
$res = bearer_call($alice_token, GET => "/bearer/api/users/$BOB");
is $res->code, 401, 'bearer: Require auth0-scope applies (401, as bearer.c answers a denied Require)';
like $res->header('WWW-Authenticate') // '', qr/insufficient_scope/, '... insufficient_scope';
is bearer_call(user_token(), GET => "/bearer/api/users/$BOB")->code, 200, 'bearer: a user token with the scope';

# a CORS preflight is answered by httpd (Auth0CORSPreflight answer): never by the admin endpoints
$res = bearer_call(undef, OPTIONS => "/bearer/api/users/$BOB",
	headers => {Origin => 'https://evil.example', 'Access-Control-Request-Method' => 'PATCH'});
is $res->code, 204, 'a CORS preflight to the admin API: 204 from httpd';
is $res->content, '', '... not an answer of the API';
is $res->header('Access-Control-Allow-Origin'), undef, '... and no CORS permission';
$res = api_call($b, OPTIONS => "/admin/api/users/$BOB",
	headers => {Origin => 'https://evil.example', 'Access-Control-Request-Method' => 'PATCH'});
is $res->code, 204, 'a CORS preflight with a session cookie to the admin API: 204, nothing more';

# a session cookie is not a bearer token: the bearer location ignores it
is api_call($b, GET => "/bearer/api/users/$BOB")->code, 401, 'a session does not open the bearer location';

done_testing;
