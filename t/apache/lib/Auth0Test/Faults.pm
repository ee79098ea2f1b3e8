package Auth0Test::Faults;

# The fault matrix (t/faults/*.t): the catalogue of its cases, and helpers to run them.
#
#   catalogue        @CASES (id, group, case, expected, also: where a part is asserted too), case_info(ID)
#   running a case   matrix_case(ID, sub { ...Test::More checks...; observe('what was seen') })
#                    runs the checks as a subtest and records the case with Auth0Test::Matrix (matrix
#                    "faults": a TAP line and a JSON line in t/logs/matrix/faults/); faults and token
#                    tweaks of the tenant are cleared and the settings the cases change (clock_offset, token
#                    lifetimes, refresh token rotation) reset after every case, whatever happened;
#                    t/faults/zz-summary.t checks that every case of the catalogue ran and passed
#   sites            fsite(NAME, PATH): the URL of FAULTS, FAULTS_REFRESH, FAULTS_REFUSED of conf/faults.conf
#   logins           login_with(URL, RULES...) -> {res, took, browser, callback}: a browser that went
#                    through the tenant's login, the rules set just before its callback (cleared after);
#                    nothing_lost_login($attempt, URL [, link => 0]): no session, no transaction cookie,
#                    and the page's "Try again" link signs the same browser in on URL
#                    signed_in(URL) -> a browser with a session; session_cookie($b), txn_cookies($b),
#                    user_of($res) (REMOTE_USER of an echo page), page_like($res, qr//, NAME)
#   renewals         refresh_browser() -> a browser signed in on FAULTS_REFRESH whose next request renews
#                    its access token (tokens of 2 s, renewed halfway, returned a second after the login;
#                    rotating refresh tokens, so that no renewal is answered from the result shared by a
#                    previous one)
#   the admin API    admin_get(SITE, PATH) (with an access token for the API)
#   bearer calls     bearer_https(SITE or URL, PATH, TOKEN)
#   own servers      own_httpd(%opt) -> handle (Auth0Test::httpd_start around own_site_config(%opt)),
#                    graceful($h); redis_persistent() / redis_down($r) / redis_up($r, keep => 0|1)
#   load             load_start(%opt) / load_progress($l) / load_stop($l): worker processes that repeat
#                    requests and record every status
#   misc             oauth_error(STATUS, ERROR), jwks_fetches(), token_requests(GRANT), elapsed { ... }
#
# Everything needs the environment of t/apache/run (see Auth0Test.pm).

use strict;
use warnings;

use Exporter 'import';
use File::Path qw(make_path);
use HTTP::Request;
use IO::Socket::INET;
use JSON::PP ();
use LWP::UserAgent;
use POSIX qw(WNOHANG);
use Test::More ();
use Time::HiRes qw(time);
use URI;
use Auth0Test;
use Auth0Test::Api;
use Auth0Test::Matrix;

our @EXPORT = qw(@CASES case_info matrix_case observe fsite login_with nothing_lost_login signed_in
  refresh_browser admin_get bearer_https own_httpd own_site_config graceful redis_persistent redis_down redis_up
  load_start load_progress load_stop page_like oauth_error jwks_fetches token_requests elapsed user_of
  session_cookie txn_cookies);

my $JSON = JSON::PP->new->canonical->utf8->allow_nonref;

# ---- the catalogue --------------------------------------------------------------------------------------
# [id, group, case, expected, also]. The order is the table's. "also": other tests that assert part of the
# expected outcome (single cases); the matrix adds the "nothing lost" checks to them.
our @CASES = (
	# 01-refused.t
	['refused.login', 'refused', 'tenant refusing connections: a login (code exchange)',
	 '502 page within the timeout with a link back to the original URL; no session, no transaction cookie left; the retried login completes',
	 't/session/02-callback.t (Auth0Domain on a closed port)'],
	['refused.session', 'refused', 'tenant refusing connections: signed-in users',
	 'pages keep being served (200, same user): a session needs no tenant'],
	['refused.refresh', 'refused', 'tenant refusing connections: renewing a session\'s access token',
	 '502 page; the session is kept and renews once the tenant answers'],
	['refused.bearer', 'refused', 'tenant refusing connections: bearer tokens, JWKS in the shared cache',
	 '200: the keys come from the shared cache'],
	['refused.bearer-nokeys', 'refused', 'tenant refusing connections: bearer tokens, no JWKS anywhere',
	 '503 without WWW-Authenticate (the token is not known to be bad); the same token works against the tenant',
	 't/api/bearer.t (/down/)'],
	['refused.admin', 'refused', 'tenant refusing connections: admin API',
	 '502 tenant_unreachable (JSON) within the timeout; the same call works through the tenant',
	 't/admin/03-errors.t (/down/api)'],
	# 02-timeouts.t
	['blackhole.login', 'timeout', 'tenant black-holed: a login (code exchange)',
	 '504 page within Auth0HTTPTimeout (3 s); no session, no transaction cookie; the retried login completes',
	 't/session/02-callback.t (a 4 s delay)'],
	['blackhole.refresh', 'timeout', 'tenant black-holed: renewing a session\'s access token',
	 '504 page within the timeout; the session is kept and renews afterwards'],
	['blackhole.admin', 'timeout', 'tenant black-holed: admin API',
	 '504 tenant_timeout within the timeout (a timeout is not retried); the next call works',
	 't/admin/03-errors.t (a 4 s delay)'],
	['slow.login', 'timeout', 'tenant 2 s slow, just under the 3 s timeout: a login',
	 'the login completes: 302 to the original URL, then 200'],
	['slow.refresh', 'timeout', 'tenant 2 s slow: renewing a session\'s access token',
	 '200 with a new access token'],
	['slow.admin', 'timeout', 'tenant 2 s slow: admin API', '200'],
	# 03-rate-limits.t
	['429.login-once', 'rate-limit', 'one 429 (Retry-After: 1) from the token endpoint during a login',
	 'retried after Retry-After (two exchanges reach the tenant); the login completes'],
	['429.login-persistent', 'rate-limit', '429 (Retry-After: 1) on every attempt of a login',
	 '503 page with Retry-After after 3 retries; no session, no transaction cookie; the retried login completes',
	 't/session/02-callback.t (no retries)'],
	['429.refresh', 'rate-limit', '429 on every attempt of a renewal',
	 '503 with Retry-After; the session is kept and renews afterwards'],
	['429.admin-once', 'rate-limit', 'one 429 (Retry-After: 1) from the Management API',
	 'retried: 200'],
	['429.admin-persistent', 'rate-limit', '429 on every attempt of a Management call',
	 '503 rate_limited with Retry-After after 2 retries; the Management token is kept (no new token request); the next call works',
	 't/admin/03-errors.t (no retries)'],
	# 04-errors.t
	(map {
		my $s = $_;
		['burst.login-' . $s, 'burst', "a burst of two $s from the token endpoint during logins",
		 'the two logins get a ' . ($s == 503 ? 503 : 502) . ' page (no session, no transaction cookie); the third completes; a signed-in browser is served throughout',
		 $s == 500 || $s == 503 ? 't/session/02-callback.t (one ' . $s . ')' : ()]
	} 500, 502, 503, 504),
	(map {
		my $s = $_;
		['burst.admin-' . $s, 'burst', "bursts of $s from the Management API",
		 'a burst of two is retried away (200); a burst of three answers ' . ($s == 503 ? '503 tenant_unavailable' : '502 tenant_error') . '; the next call works',
		 $s == 500 || $s == 503 ? 't/admin/03-errors.t (no retries)' : ()]
	} 500, 502, 503, 504),
	['burst.refresh', 'burst', 'a 500, 502, 503 or 504 from the token endpoint during a renewal',
	 '502 page (503 for a 503); the session is kept and renews afterwards',
	 't/session/06-refresh.t (503)'],
	['malformed.login', 'malformed', 'malformed JSON from the token endpoint during a login',
	 '502 page; no session, no transaction cookie; the retried login completes', 't/session/02-callback.t'],
	['truncated.login', 'malformed', 'a truncated answer (Content-Length not reached) during a login',
	 '502 page; no session, no transaction cookie; the retried login completes'],
	['malformed.refresh', 'malformed', 'malformed or truncated JSON during a renewal',
	 '502 page; the session is kept and renews afterwards'],
	['malformed.admin', 'malformed', 'malformed JSON from the Management API',
	 '502 tenant_error; the next call works', 't/admin/03-errors.t'],
	['truncated.admin', 'malformed', 'a truncated answer from the Management API',
	 '502 tenant_error; the next call works'],
	['huge.login', 'huge', 'a 12 MiB answer from the token endpoint (the cap is 8 MiB)',
	 'refused by the size cap: 502 page, logged; no session; the retried login completes'],
	['huge.admin', 'huge', 'a 12 MiB answer from the Management API',
	 'refused by the size cap: 502 tenant_error; the next call works'],
	['ctype.login', 'content-type', 'an HTML page (200, text/html) from the token endpoint',
	 '502 page; no session; the retried login completes'],
	['ctype.admin', 'content-type', 'an HTML page (200, text/html) from the Management API',
	 '502 tenant_error; the next call works'],
	# 05-jwks.t
	['jwks.rotation-load', 'jwks', 'the tenant rotates its signing key during parallel bearer requests (own httpd, 2 children)',
	 'zero 5xx, zero 401; the new key\'s tokens accepted after a bounded refetch; the previous key\'s tokens still accepted; a login with the new key works',
	 't/api/00-rotation.t (sequential)'],
	['jwks.fail-cached', 'jwks', 'JWKS refetch failing (500) with keys cached',
	 'tokens of the cached keys keep being served (200), also tokens never seen before; a token with an unknown kid gets 503 (it may be signed with a key the tenant rotated to), not 401 invalid_token'],
	['jwks.hang-cached', 'jwks', 'JWKS refetch black-holed with keys cached',
	 'requests with known keys are served while the refetch hangs; the unknown kid gets 503 after the timeout'],
	['jwks.500-nokeys-login', 'jwks', 'JWKS failing (500) at a login\'s callback, no keys cached',
	 '503 "sign-in service unavailable" page with a link; no session; the retried login completes'],
	['jwks.blackhole-nokeys', 'jwks', 'JWKS black-holed, no keys cached',
	 '503 within the timeout, no WWW-Authenticate; 200 once the tenant answers'],
	['jwks.slow', 'jwks', 'JWKS 2 s slow (timeout 3 s), no keys cached', '200'],
	(map {
		['jwks.' . $_->[0] . '-nokeys', 'jwks', "JWKS $_->[1], no keys cached",
		 '503 without WWW-Authenticate; 200 once the JWKS is sane']
	} ['500', 'answering 500'], ['malformed', 'malformed'], ['truncated', 'truncated'],
	  ['huge', '12 MiB (cap 8 MiB)'], ['ctype', 'served as text/html']),
	# 06-redis.t
	['redis.down-cache-session', 'redis', 'redis stopped: a session in the cache store (Auth0SessionStore cache)',
	 '503 page; the session cookie is kept', 't/session/12-cache-providers.t'],
	['redis.down-cookie-session', 'redis', 'redis stopped: a session in the cookie store',
	 'unaffected: 200'],
	['redis.down-callback', 'redis', 'redis stopped: a login\'s callback (replay check)',
	 'fails closed: 503 page, no session; cookie-store sites too', 't/session/12-cache-providers.t'],
	['redis.down-bearer', 'redis', 'redis stopped: bearer tokens',
	 '200 for tokens seen before and for new ones (validated locally; the cache write failure is logged)'],
	['redis.down-backchannel', 'redis', 'redis stopped: the tenant POSTs a back-channel logout token',
	 '503 temporarily_unavailable (the token cannot be recorded as used); the cookie-store session it names is still served (nothing was recorded)'],
	['redis.up-cache-session', 'redis', 'redis restarted (with its data): the cache-store session',
	 'the same session is back (200, same user, no new login) within seconds; the cookie-store session goes on'],
	['redis.up-login', 'redis', 'redis restarted: logins and replay protection',
	 'logins complete again; a state used before the outage is still refused as a replay'],
	['redis.up-backchannel', 'redis', 'redis restarted: a back-channel logout of a cookie-store session',
	 '200 once redis answers; the session is over at once on this host (401 to every request presenting it)'],
	['redis.up-empty', 'redis', 'redis restarted empty (no persistence)',
	 'cache-store sessions end: 302 to the login, the cookie removed (not an error); cookie-store sessions unaffected'],
	# 09-cache-pressure.t
	['cache.pressure', 'cache', 'a small shared cache (shmcb of 128 KB) under new sessions: 16 logins after a session in use',
	 'the session in use is kept (entries are spread over the whole cache, not all filed in the one subcache their first byte selects)'],
	# 07-graceful.t
	['graceful.load', 'graceful', 'httpd graceful restarts (apache2 -k graceful) under load (own httpd, 2 children)',
	 'no failed request during two restarts: cookie-store session, bearer and public requests all 200; no 5xx, no connection error; only the documented end of shmcb cache-store sessions (302 to the login)'],
	['graceful.cookie-session', 'graceful', 'graceful restart: a cookie-store session',
	 'survives: 200, same user'],
	['graceful.cache-session-shmcb', 'graceful', 'graceful restart: a cache-store session in shmcb (the default Auth0Cache)',
	 'ends (documented: every restart re-creates the shmcb cache): 302 to the login, cookie removed, signing in again works'],
	['graceful.cache-session-redis', 'graceful', 'graceful restart: a cache-store session in redis',
	 'survives: 200, same user'],
	['graceful.login', 'graceful', 'graceful restart between a login\'s start and its callback',
	 'the login completes (302 to the original URL, then 200)'],
	# 08-clock.t
	['clock.bearer-ahead', 'clock', 'tenant clock 30 s ahead / 300 s ahead: bearer tokens (iat, nbf)',
	 'within the 60 s leeway: 200; beyond: 401 invalid_token "invalid issue time"; 200 again with the clocks agreeing',
	 't/api/bearer.t (exp with Auth0ClockSkew)'],
	['clock.bearer-behind', 'clock', 'tenant clock behind, tokens of 60 s: expired 40 s / 140 s ago',
	 'within the leeway: 200; beyond: 401 "The access token expired"'],
	['clock.login-ahead', 'clock', 'tenant clock 300 s ahead: a login',
	 'the login completes (like ruby-auth0, an ID token\'s iat is not compared with the clock)'],
	['clock.login-behind', 'clock', 'tenant clock behind, ID tokens of 60 s: expired 40 s / 140 s ago at the callback',
	 'within the leeway: the login completes; beyond: 502 page, no session; the retried login completes'],
);

my %CASE = map { $_->[0] => {id => $_->[0], group => $_->[1], case => $_->[2], expected => $_->[3], also => $_->[4]} } @CASES;

sub case_info { $CASE{$_[0]} // die "no fault case $_[0]" }

# ---- running a case ---------------------------------------------------------------------------------------

my $matrix;
my @observed;
# The tenant's settings the cases change, as they are after a reset.
my %SETTINGS = (clock_offset => 0, access_token_lifetime => undef, id_token_lifetime => undef,
	refresh_token_rotation => undef);

sub observe { push @observed, @_ }

sub matrix_case {
	my ($id, $code) = @_;
	my $c = case_info($id);
	$matrix //= Auth0Test::Matrix->new('faults');
	@observed = ();
	my $t0 = time;
	my $ok = Test::More::subtest("$id: $c->{case}", sub {
		eval { $code->(); 1 } or Test::More::fail("the case died: $@");
		Test::More::done_testing();
	});
	eval {
		clear_faults();
		control(DELETE => '/__control/tokens');
		settings(%SETTINGS);
		1;
	}
	  or Test::More::diag("cleaning up after $id: $@");
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	return $matrix->case(group => $c->{group}, case => $id, target => $c->{case}, expected => $c->{expected},
		observed => join('; ', @observed) . sprintf(' (%.1f s)', time - $t0), pass => $ok);
}

# ---- sites, browsers, logins ------------------------------------------------------------------------------

sub fsite { my ($name, $path) = @_; url($name, $path // '/') }

sub session_cookie { my ($b) = @_; $b->cookie('__Host-auth0_session') // $b->cookie('__Host-auth0_session.0') }
sub txn_cookies    { my ($b) = @_; $b->count_cookies(qr/auth0_txn/) }
sub user_of        { my ($res) = @_; $res->code == 200 ? json_of($res)->{REMOTE_USER} // '' : '' }

# like() on a response's text that shows only its start when it fails.
sub page_like {
	my ($res, $re, $name) = @_;
	my $text = $res->decoded_content // '';
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	return Test::More::ok($text =~ $re, $name) || Test::More::diag('the page: ' . substr($text, 0, 300));
}

sub elapsed(&) { my ($code) = @_; my $t = time; my @r = $code->(); return (time - $t, @r) }

# A browser signed in as alice on $url.
sub signed_in {
	my ($url) = @_;
	autologin('alice@example.com');
	my $b = browser();
	my $res = $b->visit($url);
	die 'could not sign in at ' . $url . ': ' . $res->status_line unless $res->code == 200;
	return $b;
}

# A browser goes through the tenant's login for $url (alice, autologin) up to its callback; then the
# fault rules are set, the callback is requested, and the rules cleared.
sub login_with {
	my ($url, @rules) = @_;
	autologin('alice@example.com');
	my $b  = browser();
	my $cb = $b->to_callback($url) or die "no callback for $url";
	fault(@rules) if @rules;
	my $t   = time;
	my $res = $b->get($cb);
	my $took = time - $t;
	clear_faults() if @rules;
	return {res => $res, took => $took, browser => $b, callback => $cb};
}

# After a login that failed: nothing of it is left in the browser, and its page leads back to $path,
# where the same browser signs in (the tenant answering again). Returns the number of failed checks.
# With link => 0 the page is not expected to offer a link (a refused identity): the browser goes back to
# $url by itself.
sub nothing_lost_login {
	my ($a, $url, %o) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	my $b = $a->{browser};
	my $failed = 0;
	Test::More::ok(!session_cookie($b), '... no session cookie') or $failed++;
	Test::More::is(txn_cookies($b), 0, '... no transaction cookie left') or $failed++;
	Test::More::like($a->{res}->header('Cache-Control') // '', qr/no-store/, '... the page is not cached') or $failed++;
	my ($href) = $a->{res}->decoded_content =~ /<a class="button" id="continue" href="([^"]+)"/;
	my $want = URI->new($url)->path_query;
	if ($o{link} // 1) {
		Test::More::is($href, $want, '... the page links back to the original URL') or $failed++;
	}
	my $res = $b->visit(URI->new_abs($href // $want, $url)->as_string);
	Test::More::is(user_of($res), ALICE, '... following it signs the same browser in') or $failed++;
	Test::More::is($res->request->uri->path, URI->new($url)->path, '... on the original URL') or $failed++;
	observe('retry: ' . $res->code);
	return $failed;
}

# A browser signed in on FAULTS_REFRESH, whose next request renews its access token. Until the case ends,
# access tokens live 2 s, renewed halfway through their life (a token shorter than twice
# Auth0RefreshBeforeExpiry's margin), and the browser is returned once that second has gone by; refresh
# tokens rotate, so that a renewal is never answered from the result a concurrent request shared (which is
# kept a minute under the refresh token).
sub refresh_browser {
	settings(access_token_lifetime => 2, refresh_token_rotation => JSON::PP::true);
	my $b = signed_in(fsite('FAULTS_REFRESH', '/echo'));
	my $at = Time::HiRes::time();
	wait_until(3, sub { Time::HiRes::time() - $at > 1.2 });
	return $b;
}

# ---- the admin API ------------------------------------------------------------------------------------------

my $api_token;
my $ua;

sub _ua {
	$ua //= do {
		my $u = LWP::UserAgent->new(timeout => 60, keep_alive => 0, max_redirect => 0,
			ssl_opts => {SSL_ca_file => $ENV{AUTH0_TEST_CA_FILE}, verify_hostname => 1});
		$u->env_proxy(0);
		$u->no_proxy('127.0.0.1', 'localhost');
		$u;
	};
}

# GET a path of the admin API of a site with an access token for the API.
sub admin_get {
	my ($site, $path) = @_;
	$api_token //= m2m_token();
	return _ua()->get(fsite($site, "/admin/api$path"), Authorization => "Bearer $api_token",
		Accept => 'application/json');
}

# A bearer request to an https site of conf/faults.conf (a name) or of an own httpd (a base URL).
sub bearer_https {
	my ($site, $path, $token) = @_;
	my $url = $site =~ m{^https?://} ? "$site$path" : fsite($site, $path);
	return _ua()->get($url, Authorization => "Bearer $token");
}

# ---- the tenant ---------------------------------------------------------------------------------------------

# A JSON error body of the Authentication API for a fault rule.
sub oauth_error {
	my ($status, $error, %headers) = @_;
	return (status => $status, headers => {%headers},
		body => $JSON->encode({error => $error, error_description => "injected $status"}));
}

sub jwks_fetches { counter('GET /.well-known/jwks.json') }
sub token_requests { my ($grant) = @_; counter("POST /oauth/token grant=$grant") }

# ---- servers of their own -----------------------------------------------------------------------------------

# An httpd configuration (for Auth0Test::httpd_start): one https site of the suite's application per port
# given, each with:
#   /            AuthType Auth0 (store: cookie or cache, per port), /echo the CGI, static pages
#   /public/     open
#   /bearer/     AuthType Auth0Bearer for https://api.example.com/ (/bearer/index.html: a static page)
# opt: ports => {PORT => 'cookie'|'cache', ...}, cache => 'redis:127.0.0.1:PORT' (default: shmcb),
#      servers => child processes (event MPM: 8 threads each; prefork: that many at least), extra => text,
#      secret_per_port => 1: each site its own Auth0SessionSecret (so that none can read what another
#      keeps in the shared cache, the JWKS included).
sub own_site_config {
	my (%o) = @_;
	my $t = t_dir();
	my $servers = $o{servers} // 2;
	my $threads = 8;
	my $workers = $servers * $threads;
	my $text = <<"EOC";
LimitRequestFieldSize 65536
@{[ $o{cache} ? "Auth0Cache $o{cache}" : '' ]}
<IfModule mpm_event_module>
    StartServers $servers
    ServerLimit $servers
    ThreadsPerChild $threads
    MaxRequestWorkers $workers
    MinSpareThreads 1
    MaxSpareThreads $workers
    MaxConnectionsPerChild 0
</IfModule>
<IfModule mpm_prefork_module>
    StartServers $servers
    MinSpareServers $servers
    MaxSpareServers @{[ $servers * 4 ]}
    MaxRequestWorkers @{[ $servers * 4 ]}
    MaxConnectionsPerChild 0
</IfModule>
EOC
	for my $port (sort keys %{$o{ports}}) {
		my $store = $o{ports}{$port};
		my $secret = 'faults-own-httpd-secret-0123456789-abcdefghij' . ($o{secret_per_port} ? "-$port" : '');
		$text .= <<"EOC";
Listen 127.0.0.1:$port https
<VirtualHost 127.0.0.1:$port>
    ServerName 127.0.0.1
    SSLEngine on
    SSLCertificateFile "$ENV{AUTH0_TEST_STATE_DIR}/server.pem"
    SSLCertificateKeyFile "$ENV{AUTH0_TEST_STATE_DIR}/server.key"
    DocumentRoot "$t/htdocs"
    ScriptAliasMatch "/echo\$" "$t/htdocs/echo.cgi"
    Alias /bearer/ "$t/htdocs/public/"
    <Directory "$t/htdocs">
        Options +ExecCGI
    </Directory>
    Auth0Domain "$ENV{AUTH0_TEST_DOMAIN}"
    Auth0CACertificateFile "$ENV{AUTH0_TEST_CA_FILE}"
    Auth0ClientID demo-web-client
    Auth0ClientSecret demo-web-secret
    Auth0RedirectURI /callback
    Auth0SessionSecret $secret
    Auth0CookieName $store
    Auth0SessionStore $store
    Auth0HTTPTimeout 3
    Auth0BackChannelLogoutPath /backchannel
    <Location />
        AuthType Auth0
        Require valid-user
    </Location>
    <Location /public>
        Require all granted
    </Location>
    <Location /bearer/>
        AuthType Auth0Bearer
        Auth0Audience https://api.example.com/
        Require valid-user
    </Location>
</VirtualHost>
EOC
	}
	return $text . ($o{extra} // '');
}

# Starts an httpd of own_site_config(%opt); dies when it does not start.
sub own_httpd {
	my (%o) = @_;
	my ($h, $out) = httpd_start(own_site_config(%o));
	die "httpd did not start: $out" unless $h;
	return $h;
}

sub _slurp { my ($f) = @_; open my $fh, '<', $f or return ''; local $/; my $s = <$fh>; $s }

# `apache2 -k graceful` with the server's own configuration (and pid file); returns when the server says
# it resumed normal operations (bounded), true if it did.
sub graceful {
	my ($h) = @_;
	my $before = () = _slurp("$h->{dir}/error_log") =~ /resuming normal operations/g;
	my $out = qx{"$ENV{AUTH0_TEST_HTTPD}" -f "$h->{file}" -k graceful 2>&1};
	Test::More::diag("apache2 -k graceful: $out") if $? != 0;
	return wait_until(30, sub { (() = _slurp("$h->{dir}/error_log") =~ /resuming normal operations/g) > $before });
}

# ---- redis with its data on disk ------------------------------------------------------------------------------

my @redises;
my $owner = $$;
END {
	local $?;
	if ($$ == $owner) {
		redis_down($_) for @redises;
	}
}

sub _redis_ping {
	my ($r) = @_;
	my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $r->{port}, Timeout => 2) or return 0;
	print $s "PING\r\n";
	my $line = <$s> // '';
	close $s;
	return $line =~ /^\+PONG/;
}

# A redis-server that saves its data when stopped (SIGTERM with a save point) and loads it when started
# again on the same port and directory; undef when redis-server is not installed.
sub redis_persistent {
	return undef unless -x '/usr/bin/redis-server';
	my $port = free_port();
	my $dir  = t_dir() . "/logs/faults-redis-$$-$port";
	make_path($dir);
	my $r = {port => $port, dir => $dir};
	push @redises, $r;
	redis_up($r, keep => 1);
	return $r;
}

sub redis_up {
	my ($r, %o) = @_;
	unlink "$r->{dir}/dump.rdb" unless $o{keep};
	my $pid = fork // die "fork: $!";
	if (!$pid) {
		open STDOUT, '>>', "$r->{dir}/redis.log";
		open STDERR, '>&', \*STDOUT;
		exec '/usr/bin/redis-server', '--port', $r->{port}, '--bind', '127.0.0.1', '--save', '3600 1',
		  '--appendonly', 'no', '--dir', $r->{dir}, '--dbfilename', 'dump.rdb', '--daemonize', 'no'
		  or POSIX::_exit(127);
	}
	$r->{pid} = $pid;
	wait_until(20, sub { _redis_ping($r) }) or die 'redis-server did not start: ' . _slurp("$r->{dir}/redis.log");
	return $r;
}

# Stops redis (it saves its data first) by PID and waits for it.
sub redis_down {
	my ($r) = @_;
	return unless $r && $r->{pid};
	kill 'TERM', $r->{pid};
	wait_until(20, sub { waitpid($r->{pid}, WNOHANG) != 0 }) or kill 'KILL', $r->{pid};
	delete $r->{pid};
}

# ---- load ---------------------------------------------------------------------------------------------------

# load_start(workers => N, kinds => [[NAME, sub ($ua) -> HTTP::Response], ...], max_seconds => 120)
# Forks N processes; each runs the kinds in turn until load_stop (or max_seconds) and appends
# "NAME STATUS\n" per request to a file of its own (a NAME may end with ":detail" chosen by the kind).
sub load_start {
	my (%o) = @_;
	my $dir = t_dir() . "/logs/faults-load-$$-" . int(time * 1000);
	make_path($dir);
	my $l = {dir => $dir, pids => [], stop => "$dir/stop"};
	for my $w (1 .. $o{workers}) {
		my $pid = fork // die "fork: $!";
		if (!$pid) {
			my $ua = LWP::UserAgent->new(timeout => 30, keep_alive => 0, max_redirect => 0,
				ssl_opts => {SSL_ca_file => $ENV{AUTH0_TEST_CA_FILE}, verify_hostname => 1});
			$ua->env_proxy(0);
			$ua->no_proxy('127.0.0.1', 'localhost');
			open my $out, '>', "$dir/worker-$w" or POSIX::_exit(1);
			$out->autoflush(1);
			my $end = time + ($o{max_seconds} // 120);
			my $i = $w;
			while (!-e $l->{stop} && time < $end) {
				my ($name, $code) = @{$o{kinds}[$i++ % @{$o{kinds}}]};
				my ($res, $detail) = eval { $code->($ua) };
				my $status = $res ? $res->code : 'died';
				# LWP's own answers (connection refused or reset, timeouts) are not the server's
				$status .= '-client' if $res && ($res->header('Client-Warning') // '') eq 'Internal response';
				print $out $name . (defined $detail ? ":$detail" : '') . " $status\n";
			}
			close $out;
			POSIX::_exit(0);
		}
		push @{$l->{pids}}, $pid;
	}
	return $l;
}

# Requests done so far (all workers): {NAME => {STATUS => count}}, and the total.
sub load_progress {
	my ($l) = @_;
	my (%seen, $total);
	for my $f (glob "$l->{dir}/worker-*") {
		open my $fh, '<', $f or next;
		while (<$fh>) {
			next unless /^(\S+) (.+)$/;
			$seen{$1}{$2}++;
			$total++;
		}
	}
	return (\%seen, $total // 0);
}

sub load_stop {
	my ($l) = @_;
	open my $fh, '>', $l->{stop};
	close $fh;
	for my $pid (@{$l->{pids}}) {
		wait_until(60, sub { waitpid($pid, WNOHANG) != 0 }) or do { kill 'KILL', $pid; waitpid $pid, 0 };
	}
	$l->{pids} = [];
	return load_progress($l);
}

1;
