# The callback: error responses, stale / replayed / cookie-less callbacks, ID-token validation, and a
# tenant that is down, slow or rate-limiting.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
use Test::More;
use Time::HiRes qw(time);
use URI;
use URI::QueryParam;
use JSON::PP ();

reset_tenant();
autologin('alice@example.com');
my $base = url('SESSION', '');
my $slow = url('SESSION_SLOW', '');

sub state_of { URI->new($_[0])->query_param('state') }

# ---- error= -------------------------------------------------------------------------------------------
my $b   = browser();
my $cb  = $b->to_callback("$base/echo");
my $st  = state_of($cb);
my $res = $b->get("$base/callback?error=access_denied&error_description=%3Cscript%3Ealert(1)%3C%2Fscript%3E&state=$st");
is $res->code, 403, 'error=access_denied answers 403';
like $res->content, qr/&lt;script&gt;alert\(1\)&lt;\/script&gt;/, 'the description is shown escaped';
unlike $res->content, qr/<script>/, 'never as markup';
is $res->header('Content-Security-Policy'),
	"default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
	'the page has a strict CSP (its forms go to this site only: only sign-out pages leave form-action out)';
like $res->header('Cache-Control') // '', qr/no-store/, '... and is not cached';
like $res->content, qr{href="/echo"}, '... and offers to try again at the original URL';
is $b->count_cookies(qr/auth0_txn/), 0, 'the transaction is gone';
$res = $b->get("$base/callback?error=server_error&error_description=boom");
is $res->code, 502, 'error=server_error answers 502';
unlike $res->content, qr/boom/, '... without a description no login of this browser came with (anyone can link here)';
like $res->content, qr/server_error/, '... but with the error code';
$res = $b->get("$base/callback?error=Your+account+is+locked.+Call+%2B1-555-0100&error_description=x");
is $res->code, 400, 'an error= that is no error code: 400';
unlike $res->content, qr/locked|555/, '... its text is not shown (anyone can link here with their own)';
like $res->content, qr/an error code this site does not know/, '... the page says what it was';
$res = $b->get("$base/callback?error=temporarily_unavailable");
is $res->code, 503, 'error=temporarily_unavailable answers 503';
$res = $b->get("$base/callback?error=invalid_request&error_description=x");
is $res->code, 400, 'other errors answer 400';

# the pages are UTF-8: a description in UTF-8 is shown as it is, not byte by byte (f&#195;&#188;r), and
# ill-formed UTF-8 is replaced (one U+FFFD per ill-formed sequence, as browsers decode)
$b   = browser();
$st  = state_of($b->to_callback("$base/echo"));
$res = $b->get("$base/callback?error=access_denied&error_description=Zugriff+f%C3%BCr+Benutzer+verweigert&state=$st");
is $res->code, 403, 'a UTF-8 description of this browser\'s login ...';
like $res->content, qr{: Zugriff f\xc3\xbcr Benutzer verweigert \(access_denied\)\.</p>}, '... is shown in UTF-8, like the page';
unlike $res->content, qr/&#\d+;/, '... with no byte turned into a character reference';
like $res->header('Content-Type') // '', qr/charset=utf-8/i, '... which the page declares';
$b   = browser();
$st  = state_of($b->to_callback("$base/echo"));
$res = $b->get("$base/callback?error=access_denied&error_description=a%FFb%C3%28c%E2%82d%ED%A0%80e%F0%9F%98&state=$st");
my $FFFD = "\xef\xbf\xbd";
like $res->content, qr{: a${FFFD}b$FFFD\(c${FFFD}d$FFFD$FFFD${FFFD}e$FFFD \(access_denied\)\.</p>},
	'ill-formed UTF-8 (a stray byte, cut sequences, a surrogate, a cut 4-byte one) is replaced with U+FFFD';
$b   = browser();
$st  = state_of($b->to_callback("$base/echo"));
$res = $b->get("$base/callback?error=access_denied&error_description="
	. "a%C0%AFb%E0%80%80c%F4%90%80%80d%F5e%FEf%F4%8F%BF%BFg%F0%9F%98%80h%E0%A0%80i&state=$st");
like $res->content, qr{: a$FFFD${FFFD}b$FFFD$FFFD${FFFD}c$FFFD$FFFD$FFFD${FFFD}d${FFFD}e${FFFD}f\xf4\x8f\xbf\xbfg\xf0\x9f\x98\x80h\xe0\xa0\x80i \(access_denied\)\.</p>},
	'overlong forms (C0 AF, E0 80 80), past U+10FFFF (F4 90 80 80) and F5-FF bytes are replaced byte by byte; '
	. 'U+10FFFF, an emoji and U+0800 are kept';

# the user cancels on the tenant's login page
autologin(undef);
$b = browser();
$res = $b->get("$base/echo");
$res = $b->get($res->header('Location'));
my ($tx) = $b->get(URI->new_abs($res->header('Location'), $res->request->uri))->content =~ /name="state" value="([^"]+)"/;
$res = $b->request(POST => tenant_url() . '/u/login', content => "state=$tx&action=cancel");
is $res->code, 302, 'the tenant sends a cancelled login back';
$res = $b->get($res->header('Location'));
is $res->code, 403, '... which ends on a 403 page';
like $res->content, qr/did not authorize/, '... that says why';
autologin('alice@example.com');

# ---- malformed, stale, replayed ------------------------------------------------------------------------
$b  = browser();
$cb = $b->to_callback("$base/echo");
$st = state_of($cb);
my $code = URI->new($cb)->query_param('code');
is $b->get("$base/callback?code=$code&code=x&state=$st")->code, 400, 'a repeated code is refused';
is $b->get("$base/callback?code=$code&state=$st&state=$st")->code, 400, 'a repeated state is refused';
$res = $b->get("$base/callback?code=$code&state=$st&state=%zz");
is $res->code, 400, 'a second state that does not decode is refused (not dropped)';
like $res->content, qr/malformed/, '... as a malformed response';
$res = $b->get("$base/callback?code=$code");
is $res->code, 400, 'a callback without state is refused';
like $res->content, qr{href="/callback"[^>]*>Sign in again}, '... with a page that offers to sign in again';

my ($txn_name) = $b->cookie_names(qr/auth0_txn/);
my $txn_value = $b->cookie($txn_name);
$b->set_cookie($txn_name, tamper($txn_value));
$res = $b->get($cb);
is $res->code, 400, 'a tampered transaction cookie is refused';
like $res->content, qr/Sign in again/, '... kindly';

$b  = browser();
$cb = $b->to_callback("$base/echo");
($txn_name) = $b->cookie_names(qr/auth0_txn/);
$txn_value = $b->cookie($txn_name);
my $other = browser();
$res = $other->get($cb);
is $res->code, 400, 'a callback from another browser (no transaction cookie) is refused';
like $res->content, qr/no longer valid/, '... with an explanation';
ok !$other->cookie('__Host-auth0_session'), '... and no session';

my $mark = log_mark();
$res = $b->get($cb);
is $res->code, 302, 'the right browser completes its login';
is $res->header('Location'), "$base/echo", '... and goes to the original URL';
like log_since($mark), qr/signed in/, 'the login is logged';

# replay: the same callback again with the transaction cookie restored
$b->set_cookie($txn_name, $txn_value);
$res = $b->get($cb);
is $res->code, 302, 'a replayed callback in a signed-in browser (back button) ...';
is $res->header('Location'), "$base/", '... goes to the landing page';
my $thief = browser();
$thief->set_cookie($txn_name, $txn_value);
$mark = log_mark();
$res = $thief->get($cb);
is $res->code, 400, 'a replayed state with its cookie is refused';
like log_since($mark), qr/used before|replay/, '... as a replay';
ok !$thief->cookie('__Host-auth0_session'), '... without a session';

# the bare redirect URI
$res = browser()->get("$base/callback");
is $res->code, 302, 'a bare GET of the redirect URI starts a login';
like $res->header('Location'), qr{^\Q@{[tenant_url()]}\E/authorize}, '... at the tenant';
$res = $b->get("$base/callback");
is $res->code, 302, 'and in a signed-in browser ...';
is $res->header('Location'), "$base/", '... goes to the landing page';
is $b->request(POST => "$base/callback", content => 'code=x&state=y')->code, 405, 'POST to the callback: 405';

# HEAD (M_GET to httpd) does nothing to a login: a link scanner that checks the callback URL neither uses
# its state nor exchanges its code, and the browser's GET that follows still signs in
$b  = browser();
$cb = $b->to_callback("$base/echo");
my $exchanges = counter('POST /oauth/token');
$mark = log_mark();
$res = $b->request(HEAD => $cb);
is $res->code, 405, 'HEAD of a callback: 405';
is $res->header('Allow'), 'GET', '... Allow: GET';
is counter('POST /oauth/token') - $exchanges, 0, '... the code is not exchanged';
ok !$b->cookie('__Host-auth0_session'), '... no session';
is $b->count_cookies(qr/auth0_txn/), 1, '... the transaction cookie stays';
$res = $b->get($cb);
is $res->code, 302, 'the GET that follows completes the login (its state was not used)';
is $res->header('Location'), "$base/echo", '... to the original URL';
ok $b->cookie('__Host-auth0_session'), '... signed in';
$b = browser();
$res = $b->request(HEAD => "$base/callback");
is $res->code, 405, 'HEAD of the bare redirect URI: 405, no login started';
is $b->count_cookies(qr/auth0_txn/), 0, '... no transaction cookie';

# a login that took longer than Auth0LoginTimeout (2 s on this vhost). The callback compares in microseconds
# with the time of the login's first request, which came before $t0: 2.2 s after $t0 the login is older than
# 2 s however slowly that request went. The transaction cookie, which lives as long (Max-Age), is set again
# as a browser that kept it anyway would send it.
$b = browser();
$cb = $b->to_callback(url('SESSION_TIME', '/echo'));
my $t0 = time;
($txn_name) = $b->cookie_names(qr/auth0_txn/);
$txn_value = $b->cookie($txn_name);
wait_until(5, sub { time - $t0 > 2.2 });
$b->set_cookie($txn_name, $txn_value);
$mark = log_mark();
$res = $b->get($cb);
is $res->code, 400, 'a login that took longer than Auth0LoginTimeout is refused';
like $res->content, qr/Sign in again/, '... kindly';
like log_since($mark), qr/callback refused: the login took longer than Auth0LoginTimeout/, '... for its age';

# ---- the ID token ----------------------------------------------------------------------------------------
my @bad = (
	[{which => 'id', claims => {nonce => 'another-nonce'}}, 400, 'a wrong nonce'],
	[{which => 'id', bad_signature => JSON::PP::true}, 502, 'a bad signature'],
	[{which => 'id', alg => 'none'}, 502, 'alg none'],
	[{which => 'id', exp_offset => -40000}, 502, 'an expired ID token'],
	[{which => 'id', claims => {aud => 'someone-else'}}, 502, 'another audience'],
	[{which => 'id', claims => {iss => 'https://evil.example.com/'}}, 502, 'another issuer'],
	[{which => 'id', kid => 'unknown-kid'}, 502, 'an unknown key'],
);
for my $case (@bad) {
	my ($tweak, $status, $what) = @$case;
	$b  = browser();
	$cb = $b->to_callback("$base/echo");
	tweak_tokens($tweak);
	$mark = log_mark();
	$res = $b->get($cb);
	is $res->code, $status, "$what is refused ($status)";
	ok !$b->cookie('__Host-auth0_session'), '... without a session';
	like log_since($mark), qr/ID token was refused/, '... and logged';
}
control(DELETE => '/__control/tokens');

# ---- the tenant down, slow, rate-limiting ------------------------------------------------------------------
# A JSON error body for a fault rule.
sub oauth_error {
	my ($status, $error, $description, %headers) = @_;
	return (status => $status, headers => {'Content-Type' => 'application/json', %headers},
		body => JSON::PP->new->encode({error => $error, error_description => $description}));
}

sub exchange_with_fault {
	my ($site, $rule) = @_;
	my $br = browser();
	my $url = $br->to_callback("$site/echo");
	fault($rule) if $rule;
	my $t = time;
	my $r = $br->get($url);
	clear_faults();
	return ($r, time - $t, $br);
}

($res) = exchange_with_fault($slow, {path => '/oauth/token',
	oauth_error(429, 'too_many_requests', 'Global limit has been reached', 'Retry-After' => '7')});
is $res->code, 503, '429 from the tenant answers 503';
is $res->header('Retry-After'), 7, '... with its Retry-After';
like $res->content, qr/try again/i, '... and a page that says so';

($res) = exchange_with_fault($slow, {path => '/oauth/token', oauth_error(500, 'server_error', 'boom')});
is $res->code, 502, '500 from the tenant answers 502';
($res) = exchange_with_fault($slow, {path => '/oauth/token', status => 503});
is $res->code, 503, '503 from the tenant answers 503';
($res) = exchange_with_fault($slow, {path => '/oauth/token', action => 'malformed'});
is $res->code, 502, 'a malformed answer gives 502';

$mark = log_mark();
my $took;
($res, $took) = exchange_with_fault($slow, {path => '/oauth/token', action => 'delay', delay_ms => 4000});
is $res->code, 504, 'a tenant slower than Auth0HTTPTimeout answers 504';
cmp_ok $took, '<', 3, '... within the timeout (1 s here)';
like log_since($mark), qr/code exchange failed: .*(time|within)/i, '... logged with libauth0\'s message';

($res, $took) = exchange_with_fault($slow, {path => '/oauth/token',
	oauth_error(403, 'invalid_grant', 'Invalid authorization code')});
is $res->code, 400, 'an expired or used code (invalid_grant) ...';
like $res->content, qr/Sign in again/, '... offers to sign in again';

($res) = exchange_with_fault($slow, {path => '/oauth/token',
	oauth_error(401, 'access_denied', 'Unauthorized')});
is $res->code, 502, 'the tenant refusing our client credentials answers 502';

# nothing listens where the tenant should be
$b = browser();
$res = $b->get(url('SESSION_DOWN', '/echo'));
is $res->code, 302, 'a login starts even when the tenant is down (nothing to fetch)';
my $st_down = URI->new($res->header('Location'))->query_param('state');
$mark = log_mark();
my $t1 = time;
$res = $b->get(url('SESSION_DOWN', "/callback?code=abc&state=$st_down"));
is $res->code, 502, 'a callback while the tenant is down answers 502';
cmp_ok time - $t1, '<', 3, '... at once';
like log_since($mark), qr/code exchange failed/, '... and logs why';

# a tenant whose certificate does not verify against Auth0CACertificateFile
$mark = log_mark();
($res) = exchange_with_fault(url('SESSION_UNTRUSTED', ''), undef);
is $res->code, 502, 'a tenant certificate that does not verify answers 502';
like $res->content, qr/cannot be reached/, '... with the page of a sign-in service that cannot be used';
like log_since($mark), qr/code exchange failed: .*TLS: /, '... and logs that TLS refused the tenant';

# ---- Auth0ErrorPages errordocument -------------------------------------------------------------------------
# SESSION_OPTS: ErrorDocument 400 /public/echo (open to anyone), ErrorDocument 502 /errdoc/oops.html (in the
# protected part of the site)
my $opts = url('SESSION_OPTS', '');
$res = browser()->get("$opts/callback?code=x&state=y");
is $res->code, 400, 'errordocument: a stale callback answers 400 ...';
is json_of($res)->{REDIRECT_AUTH0_ERROR}, 'Your sign-in has expired', '... with the ErrorDocument';
is $res->header('X-Content-Type-Options'), 'nosniff', '... nosniff, as the module\'s own pages';
is $res->header('X-Frame-Options'), 'DENY', '... never framed';
is $res->header('Referrer-Policy'), 'no-referrer', '... no Referer (a callback URL holds a code)';
like $res->header('Cache-Control') // '', qr/no-store/, '... never cached';

fault({method => 'POST', path => '/oauth/token', status => 500, body => '{"error":"server_error"}', times => 0});
$b  = browser();
$cb = $b->to_callback("$opts/anyorg/echo");
$mark = log_mark();
$res = $b->get($cb);
clear_faults();
my $log = log_since($mark);
is $res->code, 502, 'errordocument, an ErrorDocument that needs a login: the 502 stays';
like $res->content, qr{<h1>[^<]+</h1>}, '... with the module\'s own page';
unlike $res->content, qr/Additionally/, '... not httpd\'s page of an ErrorDocument that failed';
unlike $log, qr/login started/, '... no login is started for the error document';
is scalar(grep { /auth0_txn/ && !/Max-Age=0/ } $res->header('Set-Cookie')), 0, '... no transaction cookie is set';
like $log, qr{ErrorDocument 502 /errdoc/oops\.html needs a login}, '... and the log says why';

# ErrorDocument 405 /limitexcept/oops.html, whose location asks for a login of every method but OPTIONS:
# httpd serves the document with GET, and so is it probed
$mark = log_mark();
$res = browser()->request(PUT => "$opts/logout", content => 'x', 'Sec-Fetch-Site' => 'same-origin');
$log = log_since($mark);
is $res->code, 405, 'errordocument in a <LimitExcept OPTIONS> login: the 405 stays';
like $res->content, qr{<h1>Method not allowed</h1>}, '... with the module\'s own page';
unlike $res->content, qr/Additionally/, '... not httpd\'s page of an ErrorDocument that failed';
unlike $log, qr/login started/, '... no login is started for the error document';
is scalar(grep { /auth0_txn/ && !/Max-Age=0/ } $res->header('Set-Cookie')), 0, '... no transaction cookie is set';
like $log, qr{ErrorDocument 405 /limitexcept/oops\.html needs a login or is refused \(401\)}, '... and the log says why';

done_testing();
