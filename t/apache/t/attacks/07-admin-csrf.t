# Attack matrix: the admin API and cross-site requests.
#
#   path traversal on SetHandler auth0-management (ATTACK_ADMIN: AllowEncodedSlashes NoDecode, so that
#     encoded slashes reach the module's own checks; the other admin site of the suite keeps httpd's
#     default, t/admin/01-api.t): "..", "%2e%2e" in every case and mix, overlong UTF-8, %u escapes,
#     encoded and doubly encoded slashes and backslashes, raw backslashes, ";" path parameters, NUL, empty
#     and "." segments, escaping the prefix; through a browser session and a bearer token;
#   operations outside Auth0ManagementAllow (users.get users.list users.update roles.list here): reads,
#     changes, HEAD, method-override headers;
#   cross-site requests: changes to the admin API with another Origin, Sec-Fetch-Site cross-site or
#     same-site or none, no origin signal at all, a missing, empty, wrong, foreign or misplaced CSRF token,
#     form and text content types, duplicated headers; logout by GET and POST from another site.
#
# A case passes when the request is refused (400/403/404/405/415, the confirmation page for logout) and
# nothing it should not do reaches the tenant (its request log is checked: only allowed operations, no
# change); controls (same-origin with the token) succeed.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
use Auth0Test::Api;
use Auth0Test::Attacks;
use Auth0Test::Matrix;
use JSON::PP ();
use Test::More;
use URI::Escape qw(uri_escape);

reset_tenant();
autologin('alice@example.com');
my $m = Auth0Test::Matrix->new('attacks');
my $JSON = JSON::PP->new;
my $ADMIN = 'ATTACK_ADMIN';
my $ORIGIN = abase($ADMIN);
my $BOB = 'auth0%7Cb0b000000000000000000002';

my $ajar = login($ADMIN, target => '/page/') or BAIL_OUT('cannot sign in on the admin site');
my $acookie = jar_header($ajar);
my $page = raw_request(port => $ADMIN, target => '/page/', headers => [Accept => 'text/html', Cookie => $acookie]);
my ($csrf) = $page->{body} =~ /data-csrf="([^"]+)"/;
ok $csrf, 'the admin page carries the session\'s CSRF token' or BAIL_OUT('no CSRF token');
my $token = m2m_token();

# The tenant's Management requests since the last call: [method, template, path]. (The tenant keeps the
# last 1000 requests; this test makes far fewer Management calls.)
my $seen = 0;
sub tenant_requests {
	my $list = control(GET => '/__control/requests?path=' . uri_escape('/api/v2/*') . '&limit=1000');
	my @all = ref $list eq 'ARRAY' ? @$list : @{$list->{requests} // []};
	die 'the tenant\'s request log is full: this test cannot tell what reached it' if @all >= 1000;
	my @new = @all[$seen .. $#all];
	$seen = @all;
	return map { [$_->{method}, $_->{template} // $_->{path}, $_->{path}] } @new;
}
tenant_requests();

my %ALLOWED = map { $_ => 1 } 'GET /api/v2/users/{id}', 'GET /api/v2/users', 'PATCH /api/v2/users/{id}', 'GET /api/v2/roles';

sub admin_case {
	my ($group, $case, %o) = @_;
	my @h = (Accept => 'application/json');
	if ($o{bearer}) {
		push @h, Authorization => "Bearer $token";
	} else {
		push @h, Cookie => $o{cookie} // $acookie;
		push @h, Origin => $o{origin} if defined $o{origin};
		push @h, 'Sec-Fetch-Site' => $o{site} if defined $o{site};
		push @h, 'X-CSRF-Token' => $o{csrf} if defined $o{csrf};
	}
	push @h, @{$o{headers} // []};
	push @h, 'Content-Type' => $o{type} // 'application/json' if defined $o{body};
	my $res = raw_request(port => $ADMIN, method => $o{method} // 'GET', target => $o{target}, headers => \@h, body => $o{body});
	my @reached = tenant_requests();
	my @bad = grep { !$ALLOWED{"$_->[0] $_->[1]"} || ($o{no_change} && $_->[0] ne 'GET') || ($o{nothing} && 1) } @reached;
	my $st = $res->{status};
	my $want = $o{want};
	my $ok = !@bad && (ref $want ? grep { $_ == $st } @$want : $st == $want);
	my $err = eval { $JSON->decode($res->{body})->{error} } // '';
	# httpd resolved the path to somewhere outside the API (/api/.. is /): not the admin API's answer
	my $outside = $o{outside_ok} && (hdr($res, 'Content-Type') // '') !~ m{application/json};
	$ok ||= !@bad && $outside;
	$m->case(group => $group, case => $case, target => ($o{method} // 'GET') . " $o{target}",
		expected => (ref $want ? join('/', @$want) : $want) . ($o{nothing} ? ', nothing reaches the tenant' : ', only allowed operations reach the tenant'),
		observed => "$st" . ($err ? " $err" : '') . (@reached ? '; tenant: ' . join(', ', map {"$_->[0] $_->[2]"} @reached) : '; tenant: nothing'),
		pass => $ok);
}

# ---- path traversal ---------------------------------------------------------------------------------------
my $G = 'admin API: path traversal';
$m->group($G, about => 'Management paths that try to leave the operation they name or the prefix of the location',
	expected => '400/403/404, and nothing but allowed operations reaches the tenant');
admin_case($G, 'control: users.get', target => "/api/users/$BOB", want => 200);
my @traversal = (
	"users/$BOB/../../clients", "users/..%2Fclients", "users/..%2fclients", "users/%2e%2e/clients", "users/%2E%2E/clients",
	"users/%2e%2E/clients", "users/.%2e/clients", "users/%2e./clients", "users/..%252fclients", "users/%252e%252e/clients",
	"users/%25252e%25252e/clients", "users/%2fclients", "users/%2F%2Fclients", "users/$BOB%2F..%2F..%2Fclients",
	"users/%5c..%5cclients", "users/%5C..%5Cclients", "users\\..\\clients", "users/..\\clients", "users/%255c..%255cclients",
	"users/%c0%ae%c0%ae/clients", "users/%c0%af..%c0%afclients", "users/%u002e%u002e/clients", "users/%%32%65%%32%65/clients",
	"users;/../clients", "users/..;/clients", "users/%2e%2e%3b/clients", "users/$BOB;x=1/roles", "users/$BOB%3b/roles",
	"users/..%00/clients", "users/%00/../clients", "users/%00", "users//clients", "users/./$BOB", "./users/$BOB",
	"users/$BOB/", "users/$BOB//", "users/$BOB/.", "users/$BOB/..", "..", "%2e%2e", "%2e%2e/api/clients",
	"../api/clients", "..%2fapi%2fclients", "users/%2e%2e%2f%2e%2e%2fpage", "users/$BOB%23/../../clients",
	"users/$BOB%3F/../../clients", "roles/rol_Admin00000000001/%2e%2e/%2e%2e/clients",
	"users/$BOB/roles/%2e%2e", "users/" . ('%2e%2e/' x 50) . 'clients',
);
for my $p (@traversal) {
	admin_case($G, "session: $p", target => "/api/$p", want => [400, 403, 404, 405], no_change => 1, outside_ok => 1);
}
for my $p (@traversal[0 .. 20]) {
	admin_case($G, "bearer: $p", target => "/bearer-api/$p", bearer => 1, want => [400, 403, 404, 405], no_change => 1,
		outside_ok => 1);
}

# ---- outside Auth0ManagementAllow ---------------------------------------------------------------------------
$G = 'admin API: operations outside Auth0ManagementAllow';
$m->group($G, about => 'operations the location does not allow, with a valid session, Origin and CSRF token (or a bearer token)',
	expected => '403 operation_not_allowed (404/405 for no operation), nothing reaches the tenant');
my @same = (origin => $ORIGIN, site => 'same-origin', csrf => $csrf);
my @outside = (
	[GET => '/api/clients'], [GET => '/api/connections'], [GET => '/api/organizations'], [GET => "/api/users/$BOB/roles"],
	[GET => "/api/users/$BOB/permissions"], [GET => '/api/resource-servers'], [GET => '/api/tenants/settings'],
	[DELETE => "/api/users/$BOB"], [POST => '/api/users', '{"email":"x@example.com","connection":"Username-Password-Authentication","password":"Xx-123456789"}'],
	[POST => "/api/users/$BOB/roles", '{"roles":["rol_Admin00000000001"]}'], [DELETE => "/api/users/$BOB/roles", '{"roles":["rol_Reader0000000001"]}'],
	[PATCH => '/api/roles/rol_Admin00000000001', '{"name":"x"}'], [DELETE => '/api/roles/rol_Admin00000000001'],
	[POST => '/api/roles', '{"name":"evil"}'], [PATCH => '/api/clients/jwt-client', '{"callbacks":["https://evil.example/cb"]}'],
	[POST => '/api/clients', '{"name":"evil"}'], [POST => '/api/organizations/org_acme123/members', '{"members":["auth0|x"]}'],
	[PUT => "/api/users/$BOB", '{}'], [GET => '/api/users-by-email?email=bob@example.com'], [GET => '/api/jobs/job_1'],
	[POST => '/api/jobs/verification-email', '{"user_id":"auth0|x"}'], [GET => '/api/logs'], [GET => '/api/keys/signing'],
	[POST => '/api/keys/signing/rotate', '{}'], [DELETE => '/api/grants/x'], [GET => '/api/stats/daily'],
);
for my $o (@outside) {
	my ($method, $target, $body) = @$o;
	admin_case($G, "session: $method $target", method => $method, target => $target, body => $body, @same,
		want => [403, 404, 405], nothing => 1);
}
for my $o (@outside[0 .. 9]) {
	my ($method, $target, $body) = @$o;
	(my $bt = $target) =~ s{^/api/}{/bearer-api/};
	admin_case($G, "bearer: $method $bt", method => $method, target => $bt, body => $body, bearer => 1,
		want => [403, 404, 405], nothing => 1);
}
admin_case($G, 'HEAD of an operation not allowed', method => 'HEAD', target => '/api/clients', want => [403], nothing => 1);
admin_case($G, 'GET with X-HTTP-Method-Override: DELETE', target => "/api/users/$BOB", headers => ['X-HTTP-Method-Override' => 'DELETE',
	'X-Method-Override' => 'DELETE', 'X-HTTP-Method' => 'DELETE'], want => [200], no_change => 1);
admin_case($G, 'POST with X-HTTP-Method-Override: PATCH', method => 'POST', target => "/api/users/$BOB", body => '{"blocked":true}',
	@same, headers => ['X-HTTP-Method-Override' => 'PATCH'], want => [403, 404, 405], nothing => 1);
admin_case($G, 'a method that is no Management method (PROPFIND)', method => 'PROPFIND', target => "/api/users/$BOB", @same,
	want => [405], nothing => 1);
admin_case($G, 'bearer: users.update (allowed only for sessions here)', method => 'PATCH', target => "/bearer-api/users/$BOB",
	body => '{"blocked":true}', bearer => 1, want => [403], nothing => 1);

# ---- cross-site changes ------------------------------------------------------------------------------------
$G = 'cross-site requests: admin API';
$m->group($G, about => 'a change (PATCH users/{id}, which the location allows) from a browser session without '
	. 'the same-origin signals or the session\'s CSRF token',
	expected => '403 csrf, no change reaches the tenant; control: same origin with the token succeeds');
my $body = '{"blocked":false}';
my @change = (method => 'PATCH', target => "/api/users/$BOB", body => $body);
admin_case($G, 'control: same origin (Origin + Sec-Fetch-Site) with the token', @change, @same, want => 200);
my ($other_jar) = login($ADMIN, target => '/page/');
my $op = raw_request(port => $ADMIN, target => '/page/', headers => [Accept => 'text/html', Cookie => jar_header($other_jar)]);
my ($csrf2) = $op->{body} =~ /data-csrf="([^"]+)"/;
my @xs = (
	['Origin of another site, Sec-Fetch-Site cross-site, the right token', origin => 'https://evil.example', site => 'cross-site', csrf => $csrf],
	['Origin of another site, no Sec-Fetch-Site (older browser), the right token', origin => 'https://evil.example', csrf => $csrf],
	['Sec-Fetch-Site cross-site, no Origin, the right token', site => 'cross-site', csrf => $csrf],
	['Sec-Fetch-Site same-site (a sibling subdomain), the right token', site => 'same-site', csrf => $csrf],
	['Sec-Fetch-Site none (a typed URL), the right token', site => 'none', csrf => $csrf],
	['no Origin and no Sec-Fetch-Site, the right token', csrf => $csrf],
	['Origin null (a sandboxed frame), the right token', origin => 'null', csrf => $csrf],
	['Origin of this host over http, the right token', origin => 'http://127.0.0.1:' . aport($ADMIN), csrf => $csrf],
	['Origin of another port of this host, the right token', origin => abase('ATTACK'), site => 'same-site', csrf => $csrf],
	['Origin with a trailing slash, the right token', origin => "$ORIGIN/", csrf => $csrf],
	['Origin this site followed by another', origin => "$ORIGIN.evil.example", csrf => $csrf],
	['same origin, no token', origin => $ORIGIN, site => 'same-origin'],
	['same origin, an empty token', origin => $ORIGIN, site => 'same-origin', csrf => ''],
	['same origin, a wrong token', origin => $ORIGIN, site => 'same-origin', csrf => "x$csrf"],
	['same origin, the token truncated', origin => $ORIGIN, site => 'same-origin', csrf => substr($csrf, 0, -1)],
	['same origin, the token of another session', origin => $ORIGIN, site => 'same-origin', csrf => $csrf2],
	['same origin, the token in the query string', origin => $ORIGIN, site => 'same-origin', target => "/api/users/$BOB?csrf=$csrf"],
	['same origin, the token in a cookie', origin => $ORIGIN, site => 'same-origin', cookie => "$acookie; csrf=$csrf; X-CSRF-Token=$csrf"],
	['same origin, the token twice', origin => $ORIGIN, site => 'same-origin', headers => ['X-CSRF-Token' => $csrf, 'X-CSRF-Token' => $csrf]],
	['Origin twice (this site and another), the right token', site => 'same-origin', csrf => $csrf,
		headers => [Origin => $ORIGIN, Origin => 'https://evil.example']],
);
for my $x (@xs) {
	my ($case, %o) = @$x;
	my %c = (@change, %o);
	admin_case($G, $case, %c, want => [403, 400], nothing => 1);
}
admin_case($G, 'a form post (no custom header possible) from another site', method => 'POST', target => "/api/users/$BOB/roles",
	body => 'roles=rol_Admin00000000001', type => 'application/x-www-form-urlencoded', origin => 'https://evil.example',
	site => 'cross-site', want => [403, 404, 405, 415], nothing => 1);
admin_case($G, 'text/plain (a "simple" cross-site request) with everything else right', @change, @same, type => 'text/plain',
	want => [415], nothing => 1);
admin_case($G, 'multipart/form-data with everything else right', @change, @same, type => 'multipart/form-data; boundary=x',
	want => [415], nothing => 1);
admin_case($G, 'control: the change with the token again', @change, @same, want => 200);

# ---- cross-site logout ---------------------------------------------------------------------------------------
$G = 'cross-site requests: logout';
$m->group($G, about => 'GET and POST /logout from another site, or without the session\'s CSRF token',
	expected => 'a confirmation page (200) and the session intact; controls: same-origin GET, POST with the token');
my $ljar = login('ATTACK') or BAIL_OUT('cannot sign in');
my $lc = jar_header($ljar);
my $conf = raw_request(port => 'ATTACK', target => '/logout', headers => ['Sec-Fetch-Site' => 'cross-site', Cookie => $lc]);
my ($lcsrf) = $conf->{body} =~ /name="csrf" value="([^"]+)"/;
ok $lcsrf, 'the confirmation page carries the CSRF token';
my $other = login('ATTACK', jar => {});
my $oconf = raw_request(port => 'ATTACK', target => '/logout', headers => ['Sec-Fetch-Site' => 'cross-site', Cookie => jar_header($other)]);
my ($ocsrf) = $oconf->{body} =~ /name="csrf" value="([^"]+)"/;

sub still_signed_in {
	my $r = raw_request(port => 'ATTACK', target => '/cgi/still', headers => [Accept => 'application/json', Cookie => $lc]);
	return $r->{status} == 200;
}
sub logout_case {
	my ($case, %o) = @_;
	my $res = raw_request(port => 'ATTACK', method => $o{method} // 'GET', target => $o{target} // '/logout',
		headers => [Cookie => $lc, @{$o{headers} // []}, defined $o{body} ? ('Content-Type' => $o{type} // 'application/x-www-form-urlencoded') : ()],
		body => $o{body});
	my $killed = grep {/^__Host-atk(?:\.\d+)?=;/} set_cookies($res);
	my $alive = still_signed_in();
	my $ok = $res->{status} == 200 && $res->{body} =~ /<form method="post"/ && !$killed && $alive;
	$m->case(group => $G, case => $case, target => ($o{method} // 'GET') . ' ' . ($o{target} // '/logout'),
		expected => '200 confirmation page, session intact',
		observed => "$res->{status}" . ($killed ? ', session cookie deleted' : '') . ($alive ? ', still signed in' : ', SIGNED OUT'),
		pass => $ok);
}
my @lx = (
	['a link from another site (Sec-Fetch-Site cross-site)', headers => ['Sec-Fetch-Site' => 'cross-site']],
	['a sibling subdomain (Sec-Fetch-Site same-site)', headers => ['Sec-Fetch-Site' => 'same-site']],
	['an image or script of another site (Sec-Fetch-Dest image, cross-site)', headers => ['Sec-Fetch-Site' => 'cross-site', 'Sec-Fetch-Dest' => 'image']],
	['Referer of another site', headers => [Referer => 'https://evil.example/page']],
	['Referer that starts like this site', headers => [Referer => abase('ATTACK') . '.evil.example/']],
	['Referer with this site as userinfo', headers => [Referer => abase('ATTACK') . '@evil.example/']],
	['Referer of another port of this host', headers => [Referer => abase('ATTACK_LOCAL') . '/']],
	['Origin of another site', headers => [Origin => 'https://evil.example']],
	['Origin null', headers => [Origin => 'null']],
	['Origin of this host over http', headers => [Origin => 'http://127.0.0.1:' . aport('ATTACK')]],
	['no origin signal at all', headers => []],
	['Sec-Fetch-Site cross-site beside a same Origin', headers => ['Sec-Fetch-Site' => 'cross-site', Origin => abase('ATTACK')]],
	['POST without a token from another site', method => 'POST', body => 'returnTo=%2F', headers => ['Sec-Fetch-Site' => 'cross-site']],
	['POST with a wrong token', method => 'POST', body => "csrf=x$lcsrf", headers => ['Sec-Fetch-Site' => 'cross-site']],
	['POST with an empty token', method => 'POST', body => 'csrf=', headers => ['Sec-Fetch-Site' => 'cross-site']],
	['POST with the token of another session', method => 'POST', body => "csrf=$ocsrf", headers => ['Sec-Fetch-Site' => 'cross-site']],
	['POST with the token in the query string', method => 'POST', target => "/logout?csrf=$lcsrf", body => 'returnTo=%2F',
		headers => ['Sec-Fetch-Site' => 'cross-site']],
	['POST with the token as multipart/form-data', method => 'POST', type => 'multipart/form-data; boundary=b',
		body => "--b\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n$lcsrf\r\n--b--\r\n", headers => ['Sec-Fetch-Site' => 'cross-site']],
	['POST with the token as JSON', method => 'POST', type => 'application/json', body => qq({"csrf":"$lcsrf"}),
		headers => ['Sec-Fetch-Site' => 'cross-site']],
	['POST with the token in a header', method => 'POST', body => 'returnTo=%2F', headers => ['Sec-Fetch-Site' => 'cross-site',
		'X-CSRF-Token' => $lcsrf]],
	['POST with a same-origin Origin but no token', method => 'POST', body => 'returnTo=%2F', headers => [Origin => abase('ATTACK'),
		'Sec-Fetch-Site' => 'same-origin']],
);
logout_case($_->[0], @{$_}[1 .. $#$_]) for @lx;
# (the cookie store is stateless: "signed out" is the session cookie deleted and the tenant's logout)
sub signed_out {
	my ($res) = @_;
	my $deleted = grep {/^__Host-atk=;.*Max-Age=0/} set_cookies($res);
	return $res->{status} == 302 && $deleted && index(hdr($res, 'Location') // '', tenant_url() . '/v2/logout?') == 0;
}
{
	my $res = raw_request(port => 'ATTACK', method => 'POST', target => '/logout', body => "csrf=$lcsrf",
		headers => [Cookie => $lc, 'Content-Type' => 'application/x-www-form-urlencoded', 'Sec-Fetch-Site' => 'cross-site']);
	$m->case(group => $G, case => 'control: the confirmation form posted with its token', target => 'POST /logout',
		expected => '302 to /v2/logout, session cookie deleted', observed => "$res->{status}" . (signed_out($res) ? ', signed out' : ''),
		pass => signed_out($res));
	my $j = login('ATTACK');
	$res = raw_request(port => 'ATTACK', target => '/logout', headers => [Cookie => jar_header($j), 'Sec-Fetch-Site' => 'same-origin']);
	$m->case(group => $G, case => 'control: a same-origin GET', target => 'GET /logout', expected => '302 to /v2/logout, session cookie deleted',
		observed => "$res->{status}" . (signed_out($res) ? ', signed out' : ''), pass => signed_out($res));
}

ok alive('ATTACK'), 'httpd still answers';
$m->summary;
done_testing();
