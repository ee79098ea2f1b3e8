# Access tokens in sessions: an API audience (JWT access token, its permissions for Require), the
# access token passed to the backend, renewal with the refresh token (offline_access), once for
# concurrent requests, how early (Auth0RefreshBeforeExpiry, halfway for short-lived tokens), and what
# happens when it fails.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
use JSON::PP ();
use POSIX ();
use Test::More;
use Time::HiRes qw(time);

reset_tenant();
autologin('alice@example.com');
my $api  = url('SESSION_API', '');
my $NAME = '__Host-auth0_session';
my $REFRESH = 'POST /oauth/token grant=refresh_token';

sub payload {
	my ($jwt) = @_;
	my $p = (split /\./, $jwt // '')[1] // return {};
	$p =~ tr{-_}{+/};
	$p .= '=' x (-length($p) % 4);
	require MIME::Base64;
	return JSON::PP->new->decode(MIME::Base64::decode_base64($p));
}

sub token_of { json_of($_[0])->{HTTP_X_AUTH0_ACCESS_TOKEN} // '' }

# ---- how early: Auth0RefreshBeforeExpiry, the start -----------------------------------------------------
# One site, three margins: the default (30 s) at /, 50 s at /early, an hour at /late. Counted at the
# tenant (its grants), and seen in the token the backend gets. Times are whole seconds from the callback's
# (server_second), and waits go by the same clock.
# (a) Tokens of 100 s: due 50 s before they expire at /early, 30 s before at the default; from 51 s to 70 s
# after the login, a request renews at /early and not elsewhere. Signed in now, checked at the end (the
# tests between take most of the wait).
my $margins_port = free_port();
my $margins_base = "https://127.0.0.1:$margins_port";
my ($margins, $margins_out) = httpd_start(app_site(port => $margins_port, vhost => <<'EOC'));
Auth0Scope "openid profile email offline_access"
Auth0PassAccessToken on
<Location /early>
    Auth0RefreshBeforeExpiry 50
</Location>
<Location /late>
    Auth0RefreshBeforeExpiry 1h
</Location>
EOC
ok $margins, 'an httpd with Auth0RefreshBeforeExpiry 50 and 1h in two locations' or diag $margins_out;
my ($long, $long_at);
if ($margins) {
	settings(access_token_lifetime => 100);
	$long = browser();
	$long->visit("$margins_base/echo");
	$long_at = server_second($long->callback);
	settings(access_token_lifetime => undef);
}

sub oauth_error {
	my ($status, $error) = @_;
	return (status => $status, headers => {'Content-Type' => 'application/json'},
		body => JSON::PP->new->encode({error => $error, error_description => $error}));
}

# ---- the access token ------------------------------------------------------------------------------------
my $b   = browser();
my $res = $b->visit("$api/echo");
is $res->code, 200, 'signed in with an API audience';
my $env = json_of($res);
my $at  = $env->{HTTP_X_AUTH0_ACCESS_TOKEN};
ok $at, 'Auth0PassAccessToken passes the access token as a header';
is $env->{AUTH0_ACCESS_TOKEN}, $at, '... and as a variable';
is payload($at)->{sub}, ALICE, '... a JWT for alice';
# its expiry as the session knows it (the answer's expires_in from when it came: a second from exp at most)
my $expires = $env->{HTTP_X_AUTH0_ACCESS_TOKEN_EXPIRES} // '';
like $expires, qr/^[0-9]+$/, '... its expiry (epoch seconds) as a header';
ok(abs($expires - payload($at)->{exp}) <= 1, "... the token's exp") or diag "$expires vs " . payload($at)->{exp};
is $env->{AUTH0_ACCESS_TOKEN_EXPIRES}, $expires, '... and as a variable';
ok((grep { $_ eq 'https://api.example.com/' } @{payload($at)->{aud} // []}), '... for the API');
is $b->get("$api/read/")->code, 404, 'Require auth0-permission read:messages: granted (from the access token)';
is $b->get("$api/delete/")->code, 401, 'Require auth0-permission delete:messages: denied';
is counter($REFRESH), 0, 'no refresh so far';

# ---- renewal --------------------------------------------------------------------------------------------
# Tokens of 4 s are renewed halfway through their life (Auth0RefreshBeforeExpiry's 30 s is longer than they
# live: renewing 30 s before they expire would renew at every request): 2 s after the login, in whole
# seconds (the module takes the second the token arrived in, during the callback, and compares with the
# request's second): from 1 s to 2 s after it. The request after the visit shows that a fresh token is not
# renewed only when it came within a second of the clock of the callback (server_second); started just after
# a second turns, it does, unless the machine is slow enough that it did not, and then it is tried again.
settings(access_token_lifetime => 4);
my ($t0, $first, $before);
for my $try (1 .. 3) {
	second_start();
	$before = counter($REFRESH);
	$b = browser();
	$b->visit("$api/echo");
	my $cb = $b->callback;
	$t0  = time;
	$res = $b->get("$api/echo");
	$first = json_of($res)->{HTTP_X_AUTH0_ACCESS_TOKEN};
	last if server_second($res) <= server_second($cb) + 1;
}
is counter($REFRESH) - $before, 0, 'a fresh access token is not renewed';
wait_until(4, sub { time - $t0 > 2.2 });
$res = $b->get("$api/echo");
is $res->code, 200, 'a request when the token is about to expire';
is counter($REFRESH) - $before, 1, '... renews it with the refresh token';
my $second = json_of($res)->{HTTP_X_AUTH0_ACCESS_TOKEN};
isnt $second, $first, '... and the backend gets the new token';
is json_of($res)->{HTTP_X_AUTH0_EMAIL}, 'alice@example.com', '... and the claims, as before';
ok !exists json_of($res)->{HTTP_X_AUTH0_ISS}, '... filtered as before (Auth0IdentityClaimFilter)';
ok scalar(grep {/^\Q$NAME\E/} $res->header('Set-Cookie')), '... which is stored in the session';
is json_of($b->get("$api/echo"))->{HTTP_X_AUTH0_ACCESS_TOKEN}, $second, 'the next request uses it';
is counter($REFRESH) - $before, 1, '... without renewing again';

# concurrent requests needing a refresh spend the refresh token once (with rotation, a second use would
# revoke the whole family)
settings(refresh_token_rotation => JSON::PP::true);
$b = browser();
$b->visit("$api/echo");
$t0 = time;
$before = counter($REFRESH);
wait_until(4, sub { time - $t0 > 2.2 });
my @kids;
for my $i (1 .. 6) {
	my $pid = fork // die "fork: $!";
	if (!$pid) {
		my $r = $b->get("$api/echo");
		my $env = $r->code == 200 ? json_of($r) : {};
		# the renewal shared by another request passes the identity too, filtered for this location
		POSIX::_exit(($env->{REMOTE_USER} // '') eq ALICE && ($env->{HTTP_X_AUTH0_EMAIL} // '') eq 'alice@example.com'
			  && !exists $env->{HTTP_X_AUTH0_ISS} ? 0 : 1);
	}
	push @kids, $pid;
}
my $ok = 0;
for (@kids) { waitpid $_, 0; $ok++ if $? == 0 }
is $ok, 6, 'six concurrent requests needing a renewal all succeed, each with the claims';
is counter($REFRESH) - $before, 1, '... with one refresh request to the tenant';

# ---- failures ---------------------------------------------------------------------------------------------
# (a tenant that fails while the token is still usable, and once it is not: below, "a renewal that fails for
# a reason of the tenant's")
$b = browser();
$b->visit("$api/echo");
$t0 = time;
wait_until(4, sub { time - $t0 > 2.2 });
fault({path => '/oauth/token', oauth_error(403, 'invalid_grant')});
my $mark = log_mark();
$res = $b->get("$api/echo");
clear_faults();
is $res->code, 302, 'a refused refresh token ends the session: log in again';
like log_since($mark), qr/cannot renew the access token.*the session ends/, '... and says why';
ok((grep {/^\Q$NAME\E=;.*Max-Age=0/} $res->header('Set-Cookie')), '... its cookie deleted');

# tokens of 2 s are renewed halfway: from the second after they came, or the one after that when the code
# exchange ended in the next second (the module takes the expiry from when the answer came): 2 s after them
settings(access_token_lifetime => 2);

# a renewal keeps the session's organization: the renewal's ID token must be for the organization the
# session was made for
$b = browser();
is json_of($b->visit("$api/acme/echo"))->{HTTP_X_AUTH0_ORG_ID}, 'org_acme123',
	'signed in to an organization, with a refresh token';
$t0 = time;
$before = counter($REFRESH);
wait_until(3, sub { time - $t0 > 2.1 });
is json_of($b->get("$api/acme/echo"))->{HTTP_X_AUTH0_ORG_ID}, 'org_acme123', '... renewed, still in it';
is counter($REFRESH) - $before, 1, '... (renewed)';
$t0 = time;
wait_until(3, sub { time - $t0 > 2.1 });
tweak_tokens({which => 'id', claims => {org_id => 'org_globex456', org_name => 'globex'}});
$mark = log_mark();
my $revokes = counter('POST /oauth/revoke');
$res = $b->get("$api/acme/echo");
is $res->code, 302, 'a renewal whose ID token is for another organization ends the session';
like log_since($mark), qr/the ID token of a refresh is not valid: .*org_id/, '... and says why';
is counter('POST /oauth/revoke') - $revokes, 1, '... and revokes the refresh token the tenant gave it';

# without renewal (Auth0RefreshTokens off), a session with an API token ends when the token does: tokens of
# 2 s end from 1 s to 2 s after the login in whole seconds, so the request after the visit shows that the
# session works while its token is valid only when it came within a second of the clock of the callback
# (started just after a second turns, it does; else it is tried again)
settings(access_token_lifetime => 2);
my $valid;
for my $try (1 .. 3) {
	second_start();
	$b = browser();
	$b->visit("$api/norefresh/echo");
	my $cb = $b->callback;
	$t0    = time;
	$valid = $b->get("$api/norefresh/echo");
	last if server_second($valid) <= server_second($cb) + 1;
}
is $valid->code, 200, 'Auth0RefreshTokens off: works while the token is valid';
wait_until(5, sub { time - $t0 > 3.2 });
is $b->get("$api/norefresh/echo")->code, 302, '... and ends with the token';

# ---- a renewal that ends after the session was signed out does not bring it back (cache store) -----------
# The tenant holds the renewal's answer; meanwhile the same session signs out on another connection (whose
# revocation of the refresh token fails: it is best effort, and may come after the renewal); then the
# renewal completes. Before, it wrote the session back under its id, and the cookie signed out with
# worked again. (Synchronised on the tenant's count of the renewal's arrival, not on time.)
settings(access_token_lifetime => 2);    # renewed 2 s after they came, at the latest
{
	my $port = free_port();
	my ($h, $out) = httpd_start(app_site(port => $port,
	                                     vhost => 'Auth0Scope "openid profile email offline_access"'));
	ok $h, 'an httpd with sessions in the cache and refresh tokens' or diag $out;
	SKIP: {
		skip 'no httpd', 6 unless $h;
		my $base = "https://127.0.0.1:$port";
		my $b = browser();
		is json_of($b->visit("$base/echo"))->{REMOTE_USER}, ALICE, 'signed in';
		my $t0 = time;
		my $cookie = $b->cookie($NAME);
		my $before = counter($REFRESH);
		my $revokes = counter('POST /oauth/revoke');
		# (the logout's revocation of the refresh token fails, as it may arrive after the renewal was done)
		wait_until(3, sub { time - $t0 > 2.1 });    # the token is due
		fault({path => '/oauth/token', delay_ms => 3000}, {path => '/oauth/revoke', oauth_error(503, 'temporarily_unavailable')});
		my $result = "$ENV{AUTH0_TEST_STATE_DIR}/renewal-$$";
		my $pid = fork // die "fork: $!";
		if (!$pid) {    # the request whose renewal the tenant holds
			my $res = $b->get("$base/echo");
			open my $fh, '>', $result;
			print $fh join("\n", $res->code, $res->header('Set-Cookie')), "\n";
			close $fh;
			POSIX::_exit(0);
		}
		ok wait_until(10, sub { counter($REFRESH) > $before }), '... a renewal reached the tenant';
		my $other = browser();
		$other->set_cookie($NAME, $cookie);
		is $other->get("$base/logout", 'Sec-Fetch-Site' => 'same-origin')->code, 302, '... the session signs out meanwhile';
		waitpid $pid, 0;
		my ($code, @set) = split /\n/, Auth0Test::_read($result);
		unlink $result;
		ok !grep(/^\Q$NAME\E=s\./, @set), '... the renewal, when it completes, gives the browser no session back';
		my $again = browser();
		$again->set_cookie($NAME, $cookie);
		is $again->get("$base/echo", Accept => 'application/json')->code, 401,
			'... and the cookie signed out with stays signed out';
		# the logout revoked (or tried to) the refresh token it saw; the renewal, finding the session gone,
		# revokes the one it received in its place (rotation): it is not left to live for 30 days unused
		is counter('POST /oauth/revoke') - $revokes, 2, '... the renewal revokes a refresh token too';
		my @tokens = map { eval { JSON::PP->new->decode($_->{body})->{token} } // '' }
		             @{control(GET => '/__control/requests?path=/oauth/revoke&limit=2')};
		ok $tokens[0] && $tokens[1] && $tokens[1] ne $tokens[0], '... the rotated one it received, not the one the logout saw';
		httpd_stop($h);
	}
}
# ---- a renewal whose new ID token cannot be checked now -------------------------------------------------
# For a reason of the tenant's (signed with a key it just added, while its key set cannot be fetched), the
# session stays with its claims, and takes the new access token and rotated refresh token (ending the
# session lost them both, for a passing failure). An httpd of its own: its processes remember the failed
# fetch of the key set for a minute, which would hold up the logins of the tests after this one.
{
	my $port = free_port();
	my ($h, $out) = httpd_start(app_site(port => $port, vhost => <<'EOC'));
Auth0Scope "openid profile email offline_access"
Auth0PassAccessToken on
EOC
	ok $h, 'an httpd with refresh tokens' or diag $out;
	SKIP: {
		skip 'no httpd', 7 unless $h;
		my $base = "https://127.0.0.1:$port";
		my $b = browser();
		my $was = json_of($b->visit("$base/echo"));
		my $t0 = time;
		is $was->{REMOTE_USER}, ALICE, 'signed in, with a refresh token (rotating)';
		wait_until(3, sub { time - $t0 > 2.1 });    # the token is due
		control(POST => '/__control/keys/rotate', {});
		fault({path => '/.well-known/jwks.json', times => 0, status => 503, body => '{}'});
		my $mark = length log_of($h);
		my $res = $b->get("$base/echo");
		is $res->code, 200, 'a renewal whose ID token cannot be checked now (key set unavailable): the session stays';
		isnt json_of($res)->{HTTP_X_AUTH0_ACCESS_TOKEN}, $was->{HTTP_X_AUTH0_ACCESS_TOKEN}, '... with the new access token';
		is json_of($res)->{HTTP_X_AUTH0_EMAIL}, 'alice@example.com', '... and its claims';
		like substr(log_of($h), $mark), qr/the ID token of a refresh cannot be checked now .*the session keeps its claims/,
			'... and says so';
		clear_faults();
		$t0 = time;
		wait_until(3, sub { time - $t0 > 2.1 });    # the renewed token is due
		my $refreshes = counter($REFRESH);
		$res = $b->get("$base/echo");
		is $res->code, 200, '... and the rotated refresh token it kept renews the session again';
		is counter($REFRESH) - $refreshes, 1, '... at the tenant';
		httpd_stop($h);
	}
}

# ---- how early: Auth0RefreshBeforeExpiry (the httpd and the session of (a) were made at the start) --------
SKIP: {
	skip 'no httpd', 13 unless $margins;
	{
		my $base = $margins_base;
		my $token = \&token_of;
		settings(refresh_token_rotation => JSON::PP::false);
		# (b) tokens of 4 s with a margin of an hour: renewed halfway (2 s), not at every request; and without
		# rotation (the same refresh token, so the same key for the result kept for concurrent requests) the
		# next renewal gets a new token from the tenant, not that result, which holds the token being renewed
		settings(access_token_lifetime => 4);
		my ($res, $at, $first, $n);
		for my $try (1 .. 3) {
			second_start();
			$b = browser();
			$b->visit("$base/late/echo");
			$at = server_second($b->callback);
			$n = counter($REFRESH);
			$res = $b->get("$base/late/echo");
			$first = $token->($res);
			last if server_second($res) <= $at + 1;
		}
		is counter($REFRESH) - $n, 0, 'a margin (1h) longer than the token lives (4 s): a fresh token is not renewed';
		# due 2 s (halfway) after the token's expiry was taken: the second of the callback, or the next
		# when the code exchange ended there
		wait_until(5, sub { time >= $at + 3.05 });
		$res = $b->get("$base/late/echo");
		my $second = $token->($res);
		is counter($REFRESH) - $n, 1, '... it is renewed halfway through its life';
		isnt $second, $first, '... the backend gets the new token';
		my $renewed_at = server_second($res);
		is $token->($b->get("$base/late/echo")), $second, '... which the next request keeps';
		is counter($REFRESH) - $n, 1, '... without renewing it again';
		wait_until(5, sub { time >= $renewed_at + 3.05 });
		$res = $b->get("$base/late/echo");
		is counter($REFRESH) - $n, 2, '... until halfway through its own life: a renewal at the tenant';
		isnt $token->($res), $second, '... and a new token (not the previous renewal\'s, kept for concurrent requests)';

		# (a), continued
		# (due 50 or 51 s after the callback's second: see (b))
		ok wait_until(60, sub { time >= $long_at + 51.05 }), '51 s after the login with tokens of 100 s';
		$n = counter($REFRESH);
		my $was = $token->($long->get("$base/echo"));
		is counter($REFRESH) - $n, 0, 'the default margin (30 s) does not renew a token with 50 s left or less';
		$res = $long->get("$base/early/echo");
		my $when = server_second($res);
		cmp_ok $when, '<', $long_at + 70, '... (both requests in the 20 s before the default renews)';
		is counter($REFRESH) - $n, 1, 'Auth0RefreshBeforeExpiry 50 renews it';
		isnt $token->($res), $was, '... and the backend gets the new token';
		is $token->($long->get("$base/echo")), $token->($res), '... which the default location uses too';
	}
}
httpd_stop($margins);

# ---- a renewal that fails for a reason of the tenant's ------------------------------------------------------
# The token is renewed early (halfway through the life of these tokens of 12 s: 6 s before they expire): a
# tenant that fails then (503, 429) does not stop the session while the token has DEFER_MARGIN (5 s) or a
# quarter of its life (3 s) left: the request goes on with the token and the identity it has, and no such
# request of the session asks the tenant again for a few seconds (REFRESH_BACKOFF, 5 s; or the tenant's
# Retry-After). Once the token has no more than that margin left, the request asks the tenant and gets the
# page when that fails, as before. Times from the
# token's expiry as the module keeps it (X-Auth0-Access-Token-Expires, epoch seconds), compared with the
# requests' seconds. An httpd of its own: one attempt per renewal (no retry of a 429 by libauth0), and its
# counters.
{
	my $port = free_port();
	my ($h, $out) = httpd_start(app_site(port => $port, vhost => <<'EOC', after => <<'EOA'));
Auth0Scope "openid profile email offline_access"
Auth0PassAccessToken on
Auth0HTTPRetries 0
EOC
<Location /metrics>
    SetHandler auth0-metrics
    Require ip 127.0.0.1
</Location>
EOA
	ok $h, 'an httpd with refresh tokens and Auth0HTTPRetries 0' or diag $out;
	SKIP: {
		skip 'no httpd', 28 unless $h;
		my $base = "https://127.0.0.1:$port";
		my $deferred = sub {
			my ($m) = browser()->get("$base/metrics")->content =~ /^auth0_refreshes_total\{outcome="deferred"\} (\d+)$/m;
			return $m // -1;
		};
		settings(access_token_lifetime => 12, refresh_token_rotation => JSON::PP::true);
		my $b = browser();
		my $env = json_of($b->visit("$base/echo"));
		my ($token, $exp) = @$env{qw(HTTP_X_AUTH0_ACCESS_TOKEN HTTP_X_AUTH0_ACCESS_TOKEN_EXPIRES)};
		ok $token && $exp, 'signed in, with a refresh token and an access token of 12 s';
		# due from 6 s before it expires; usable while more than 3 s are left
		wait_until(8, sub { time >= $exp - 5.95 });
		fault({path => '/oauth/token', grant_type => 'refresh_token', times => 0,
		       oauth_error(503, 'temporarily_unavailable')});
		my $n = counter($REFRESH);
		my $m = $deferred->();
		my $mark = length log_of($h);
		my $res = $b->get("$base/echo");
		my $failed_at = server_second($res);
		is $res->code, 200, 'a tenant that fails (503) when the token is due: the request goes on';
		is token_of($res), $token, '... with the current token';
		is json_of($res)->{REMOTE_USER}, ALICE, '... and identity';
		is json_of($res)->{HTTP_X_AUTH0_EMAIL}, 'alice@example.com', '... and claims';
		ok !$res->header('Retry-After'), '... without the tenant\'s Retry-After';
		ok !grep(/auth0_session/, $res->header('Set-Cookie')), '... and without writing the session';
		is counter($REFRESH) - $n, 1, '... after one attempt at the tenant';
		my $log = substr(log_of($h), $mark);
		like $log, qr/cannot renew the access token of \Q@{[ALICE]}\E now: .*going on with the current one/,
			'... which it logs';
		unlike $log, qr/\Q$token\E/, '... without the token';
		is $deferred->() - $m, 1, '... and counts (auth0_refreshes_total{outcome="deferred"})';
		wait_until(2, sub { time >= $failed_at + 0.6 });
		$res = $b->get("$base/echo");
		is $res->code, 200, 'the next request goes on too';
		is token_of($res), $token, '... with the same token';
		is counter($REFRESH) - $n, 1, '... without asking the tenant again (it backs off)';
		# (within the backoff of 5 s, which a request whose token cannot be passed on does not heed)
		wait_until(5, sub { time >= $exp - 2.95 });
		$res = $b->get("$base/echo");
		is $res->code, 503, 'once the token has 3 s left, the request asks the tenant again and gets 503';
		like $res->content, qr/Sign-in service unavailable.*try again/is, '... with the page';
		is counter($REFRESH) - $n, 2, '... after a second attempt at the tenant';
		ok !grep(/auth0_session/, $res->header('Set-Cookie')), '... the session kept as it was';
		clear_faults();
		$res = $b->get("$base/echo");
		is $res->code, 200, 'with the tenant back, the next request renews the token';
		isnt token_of($res), $token, '... a new token';
		is counter($REFRESH) - $n, 3, '... from a third attempt at the tenant';

		# a 429 with Retry-After 8: the session's requests back off that long
		$b = browser();
		$env = json_of($b->visit("$base/echo"));
		($token, $exp) = @$env{qw(HTTP_X_AUTH0_ACCESS_TOKEN HTTP_X_AUTH0_ACCESS_TOKEN_EXPIRES)};
		wait_until(8, sub { time >= $exp - 5.95 });
		fault({path => '/oauth/token', grant_type => 'refresh_token', times => 0, preset => 'rate_limit',
		       retry_after => 8});
		$n = counter($REFRESH);
		my @codes;
		for my $i (1 .. 3) {
			$res = $b->get("$base/echo");
			push @codes, $res->code . ' ' . (token_of($res) eq $token ? 'same' : 'other');
			wait_until(1, sub { time >= $exp - 5.95 + $i });
		}
		is "@codes", '200 same 200 same 200 same', 'a tenant that rate-limits (429): the requests go on with the token';
		is counter($REFRESH) - $n, 1, '... with one attempt at the tenant';
		clear_faults();

		# a renewal that the tenant holds (at a gate): a second request of the session, its token usable,
		# waits a little for it (REFRESH_WAIT_USABLE, 2 s), then goes on with the token (it waited 30 s, then
		# got a 503)
		$b = browser();
		$env = json_of($b->visit("$base/echo"));
		($token, $exp) = @$env{qw(HTTP_X_AUTH0_ACCESS_TOKEN HTTP_X_AUTH0_ACCESS_TOKEN_EXPIRES)};
		wait_until(8, sub { time >= $exp - 5.95 });
		fault({path => '/oauth/token', grant_type => 'refresh_token', times => 0, gate => 'renewal'});
		$n = counter($REFRESH);
		my $result = "$ENV{AUTH0_TEST_STATE_DIR}/held-renewal-$$";
		my $pid = fork // die "fork: $!";
		if (!$pid) {    # the request whose renewal the tenant holds
			my $r = $b->get("$base/echo");
			open my $fh, '>', $result;
			print $fh $r->code, ' ', (token_of($r) eq $token ? 'same' : 'other'), "\n";
			close $fh;
			POSIX::_exit(0);
		}
		ok wait_until(5, sub { (gates()->{renewal}{held} // 0) == 1 }), 'a renewal held at the tenant';
		my $t1 = time;
		$res = $b->get("$base/echo");
		my $took = time - $t1;
		is $res->code . ' ' . token_of($res), "200 $token", '... another request of the session goes on with the token';
		cmp_ok $took, '<', 10, '... after a short wait';
		is counter($REFRESH) - $n, 1, '... without spending the refresh token too';
		open_gate('renewal');
		waitpid $pid, 0;
		my $held = Auth0Test::_read($result);
		unlink $result;
		is $held, "200 other\n", '... and the held renewal completes: a new token';
		clear_faults();
		httpd_stop($h);
	}
}

reset_tenant();

done_testing();
