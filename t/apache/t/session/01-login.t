# The browser login flow: redirect to the tenant, callback, session, the original URL; 401 for what is
# not a page navigation; Auth0Unauthenticated 401 and pass; identity to the backend.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
use Test::More;
use URI;
use URI::QueryParam;



reset_tenant();
my $base = url('SESSION', '');
my $port = port('SESSION');

# ---- the redirect to the tenant -------------------------------------------------------------------
my $b   = browser();
my $res = $b->get("$base/echo?x=1&y=%C3%A9");
is $res->code, 302, 'an unauthenticated page navigation is redirected';
my $loc = URI->new($res->header('Location'));
is $loc->scheme . '://' . $loc->host_port, tenant_url(), '... to the tenant';
is $loc->path, '/authorize', '... to /authorize';
my %q = map { $_ => scalar $loc->query_param($_) } $loc->query_param;
is $q{client_id},     'demo-web-client',                  'client_id';
is $q{response_type}, 'code',                             'response_type code';
is $q{redirect_uri},  "https://127.0.0.1:$port/callback", 'redirect_uri made absolute from the request';
is $q{scope},         'openid profile email',             'the default scope';
is $q{code_challenge_method}, 'S256', 'PKCE S256';
like $q{code_challenge}, qr/^[A-Za-z0-9_-]{43}$/, 'a code challenge';
cmp_ok length($q{state} // ''), '>=', 22, 'state has at least 128 bits';
cmp_ok length($q{nonce} // ''), '>=', 22, 'nonce too';
isnt $q{state}, $q{nonce}, 'state and nonce differ';
like $res->header('Cache-Control') // '', qr/no-store/, 'the redirect is not cached';

my ($txn_name) = grep {/^__Host-auth0_txn_[0-9a-f]{16}$/} map { (split /=/)[0] } $res->header('Set-Cookie');
ok $txn_name, 'a __Host- transaction cookie named after the state';
my $txn = cookie_attrs($res, $txn_name);
is $txn->{path}, '/', '... Path=/';
ok $txn->{secure},   '... Secure';
ok $txn->{httponly}, '... HttpOnly';
is $txn->{samesite}, 'Lax', '... SameSite=Lax';
is $txn->{'max-age'}, 900, '... lives Auth0LoginTimeout (15 min)';
ok !exists $txn->{domain}, '... host-only';

# ---- the round trip ---------------------------------------------------------------------------------
autologin('alice@example.com');
$b = browser();
$res = $b->visit("$base/echo?x=1&y=%C3%A9");
is $res->code, 200, 'after the login the original page is served';
is $res->request->uri->as_string, "$base/echo?x=1&y=%C3%A9", '... at the original URL, query included';
my $env = json_of($res);
is $env->{REMOTE_USER}, ALICE, 'REMOTE_USER is the sub';
is $env->{AUTH_TYPE},   'Auth0',       'AUTH_TYPE';
is $env->{HTTP_X_AUTH0_EMAIL}, 'alice@example.com', 'claims reach the backend as headers';
is $env->{AUTH0_CLAIM_email},  'alice@example.com', '... and as variables';
is $env->{AUTH0_CLAIM_sub}, ALICE, '... sub among them';
# Auth0IdentityClaimFilter: by default the claims about the token (as Auth0's web SDKs leave them out)
my @token_claims = qw(iss aud iat exp nonce auth_time);
is_deeply [grep { exists $env->{"AUTH0_CLAIM_$_"} } @token_claims], [], 'no claim about the token is passed by default';
ok !exists $env->{HTTP_X_AUTH0_ISS} && !exists $env->{HTTP_X_AUTH0_NONCE}, '... neither as a header';
my @hops = $b->chain;
my ($callback) = grep { $_->request->uri->path eq '/callback' } @hops;
ok $callback, 'the tenant sent the browser to /callback';
is $callback->code, 302, 'the callback redirects';
is $callback->header('Location'), "$base/echo?x=1&y=%C3%A9", '... to the original URL';
like $callback->header('Cache-Control') // '', qr/no-store/, '... uncached';
my $session = cookie_attrs($callback, '__Host-auth0_session');
ok $session, 'the session cookie is __Host-auth0_session';
ok $session->{secure} && $session->{httponly}, '... Secure and HttpOnly';
is $session->{samesite}, 'Lax', '... SameSite=Lax';
is $session->{path}, '/', '... Path=/';
cmp_ok $session->{'max-age'}, '>', 3000, '... Max-Age up to the inactivity timeout';
ok((grep {/^\Q$txn_name\E=;/ || /^__Host-auth0_txn_\w+=;.*Max-Age=0/} $callback->header('Set-Cookie')),
	'the callback deletes its transaction cookie');
is $b->count_cookies(qr/auth0_txn/), 0, 'no transaction cookie is left';

$res = $b->get("$base/echo");
is $res->code, 200, 'the session serves the next request';
is json_of($res)->{REMOTE_USER}, ALICE, '... as alice';
ok !$res->header('Set-Cookie'), '... without rewriting the session';

# spoofed identity headers never reach the backend
$res = $b->get("$base/echo", 'X-Auth0-email' => 'mallory@example.com', 'X-Auth0-Role' => 'admin');
is json_of($res)->{HTTP_X_AUTH0_EMAIL}, 'alice@example.com', 'a spoofed claim header is replaced';
ok !exists json_of($res)->{HTTP_X_AUTH0_ROLE}, 'an invented claim header is removed';

# Auth0IdentityClaimFilter per location, the same session (and the same process's memo) in each
$env = json_of($b->get("$base/allclaims/echo"));
like $env->{AUTH0_CLAIM_iss}, qr{^https://127\.0\.0\.1:\d+/$}, 'Auth0IdentityClaimFilter none passes iss';
ok $env->{AUTH0_CLAIM_auth_time} && $env->{HTTP_X_AUTH0_EXP}, '... auth_time and exp, as variables and headers';
ok !exists $env->{AUTH0_CLAIM_nonce} && !exists $env->{HTTP_X_AUTH0_NONCE}, '... but not the nonce: a single-use value of the login, not kept in the session';
is $env->{AUTH0_CLAIM_email}, 'alice@example.com', '... and the user\'s claims';
$env = json_of($b->get("$base/someclaims/echo"));
ok !exists $env->{AUTH0_CLAIM_email} && !exists $env->{HTTP_X_AUTH0_NICKNAME}, 'Auth0IdentityClaimFilter email nickname leaves those out';
ok $env->{AUTH0_CLAIM_iss} && $env->{AUTH0_CLAIM_name}, '... and passes the others, iss among them';
# Auth0PassClaims: only the claims it names, whatever Auth0IdentityClaimFilter's default leaves out (iss)
$env = json_of($b->get("$base/onlyclaims/echo"));
is_deeply [sort grep { /^AUTH0_CLAIM_/ } keys %$env], [qw(AUTH0_CLAIM_email AUTH0_CLAIM_iss)],
  'Auth0PassClaims email iss: those claims only';
is $env->{REMOTE_USER}, ALICE, '... REMOTE_USER as before';
for (1 .. 2) {
	$env = json_of($b->get("$base/echo"));
	ok $env->{AUTH0_CLAIM_email} && !exists $env->{AUTH0_CLAIM_iss}, "back at the default filter ($_)";
}

# ---- the tenant's login form (no autologin) ----------------------------------------------------------
autologin(undef);
$b = browser(user => 'bob@example.com', password => 'Bob-Passw0rd!');
$res = $b->visit("$base/");
is $res->code, 200, 'logging in through the tenant form works';
like $res->content, qr/id="home"/, '... and lands on the page asked for';
is json_of($b->get("$base/echo"))->{REMOTE_USER}, BOB, '... as bob';

# ---- 401 instead of a redirect ------------------------------------------------------------------------
$b = browser();
is $b->request(POST => "$base/echo", content => 'a=1')->code, 401, 'POST gets 401';
is $b->get("$base/echo", 'X-Requested-With' => 'XMLHttpRequest')->code, 401, 'XHR gets 401';
is $b->get("$base/echo", 'Sec-Fetch-Mode' => 'cors')->code, 401, 'fetch() (Sec-Fetch-Mode cors) gets 401';
is $b->get("$base/echo", 'Sec-Fetch-Mode' => 'navigate', 'Sec-Fetch-Dest' => 'image')->code, 401,
	'an image gets 401';
is $b->get("$base/echo", Accept => 'application/json')->code, 401, 'Accept without HTML gets 401';
is $b->get("$base/echo", 'Sec-Fetch-Mode' => 'navigate', 'Sec-Fetch-Dest' => 'document')->code, 302,
	'a navigation with Sec-Fetch headers is redirected';
$res = $b->get("$base/api/echo");
is $res->code, 401, 'Auth0Unauthenticated 401 answers 401 to a navigation';
like $res->header('WWW-Authenticate') // '', qr/^Auth0/, '... with a WWW-Authenticate';
is $b->count_cookies(qr/auth0_txn/), 1, '401s mint no transaction cookie (only the navigation did)';

# ---- CORS preflight: answered by httpd, never by the page (Auth0CORSPreflight, default answer) ----------------
$res = $b->request(OPTIONS => "$base/echo", Origin => 'https://spa.example',
	'Access-Control-Request-Method' => 'POST', 'X-Auth0-email' => 'mallory@example.com');
is $res->code, 204, 'a CORS preflight is answered 204, not redirected';
is $res->content, '', '... by httpd (the page, a CGI, did not run)';
is $b->count_cookies(qr/auth0_txn/), 1, '... and starts no login';
is $b->request(OPTIONS => "$base/echo", Origin => 'https://spa.example')->code, 401,
	'OPTIONS that is not a preflight gets 401';

# ---- Auth0Unauthenticated pass --------------------------------------------------------------------------
$res = $b->get("$base/pass/echo", 'X-Auth0-email' => 'mallory@example.com');
is $res->code, 200, 'pass lets an anonymous request through';
ok !json_of($res)->{REMOTE_USER}, '... without a user';
ok !exists json_of($res)->{HTTP_X_AUTH0_EMAIL}, '... and without spoofed identity';
autologin('alice@example.com');
$b->visit("$base/");
is json_of($b->get("$base/pass/echo"))->{REMOTE_USER}, ALICE, 'pass still names a signed-in user';
is $b->get("$base/public/")->code, 200, 'a public location needs nothing';
done_testing();
