# Auth0IDTokenSigningAlg: an application whose ID tokens Auth0 signs with HS256 (the client secret) or PS256
# (the tenant's RSA keys, RSA-PSS) logs in with that algorithm set, and only with it: the algorithm is pinned
# every way, so a token signed otherwise is refused.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
use Auth0Test::Api ();
use JSON::PP ();
use Test::More;
use Time::HiRes qw(time);

reset_tenant();
autologin('alice@example.com');
my %hs256_app = (client_id => 'hs256-client', client_secret => 'hs256-client-secret-at-least-32-bytes-long');

# An application whose ID tokens are signed with $alg logs in with Auth0IDTokenSigningAlg $alg and is refused
# without it (RS256 by default); an RS256 application is refused under Auth0IDTokenSigningAlg $alg.
sub signing_alg_cases {
	my ($alg, %app) = @_;
	my ($h, $base) = app_site_start("Auth0IDTokenSigningAlg $alg", %app);
	my $res = browser()->visit("$base/echo");
	is $res->code, 200, "a $alg application logs in with Auth0IDTokenSigningAlg $alg";
	is json_of($res)->{REMOTE_USER}, ALICE, '... as the user';
	httpd_stop($h);

	($h, $base) = app_site_start('# RS256 by default', %app);
	$res = browser()->visit("$base/echo");
	is $res->code, 502, "the same application without it: the $alg ID token is refused";
	like log_of($h), qr/Signature algorithm of "$alg" is not supported\. Expected the ID token to be signed with "RS256"/,
		'... as an algorithm mismatch';
	httpd_stop($h);

	($h, $base) = app_site_start("Auth0IDTokenSigningAlg $alg");
	$res = browser()->visit("$base/echo");
	is $res->code, 502, "an RS256 application with Auth0IDTokenSigningAlg $alg: its ID token is refused";
	like log_of($h), qr/Expected the ID token to be signed with "$alg"/, '... as an algorithm mismatch';
	httpd_stop($h);
}

signing_alg_cases('HS256', %hs256_app);

# Auth0ClientAuthMethod: how the secret goes to the tenant (the application's Token Endpoint Authentication
# Method, hs256-client's is client_secret_basic): in the body by default, in HTTP Basic with basic.
sub last_token_request { (reverse @{control(GET => '/__control/requests?path=/oauth/token&limit=1')})[0] // {} }
for my $case (['', 'post (the default)'], ["\nAuth0ClientAuthMethod basic", 'basic']) {
	my ($conf, $what) = @$case;
	my ($h, $base) = app_site_start("Auth0IDTokenSigningAlg HS256$conf", %hs256_app);
	my $res = browser()->visit("$base/echo");
	is $res->code, 200, "Auth0ClientAuthMethod $what: the login works";
	my $req = last_token_request();
	my $authz = $req->{headers}{authorization} // '';
	if ($what eq 'basic') {
		like $authz, qr/^Basic \S+$/, '... the code exchange authenticates with HTTP Basic';
		unlike $req->{body} // '', qr/\Q$hs256_app{client_secret}\E/, '... and sends no secret in the body';
	} else {
		is $authz, '', '... the code exchange sends no Authorization header';
		like $req->{body} // '', qr/\Q$hs256_app{client_secret}\E/, '... but the secret in the body';
	}
	httpd_stop($h);
}

# PS256 (Highly Regulated Identity). Auth0 signs with the keys it signs RS256 with: a JWKS whose keys say
# "alg": "RS256" does not verify PS256, so the tenant publishes them without alg (remove_alg_from_jwks).
my %ps256_app = (client_id => 'ps256-client', client_secret => 'ps256-client-secret-at-least-32-bytes-long');
settings(remove_alg_from_jwks => 1);
signing_alg_cases('PS256', %ps256_app);

# Keys that say RS256 are used for RS256 only, even by a PS256 location.
settings(remove_alg_from_jwks => 0);
my ($h, $base) = app_site_start('Auth0IDTokenSigningAlg PS256', %ps256_app);
my $res = browser()->visit("$base/echo");
is $res->code, 502, 'a JWKS whose keys say alg RS256: the PS256 ID token is refused';
like log_of($h), qr/Could not find a public key for Key ID/, '... as no key for it';
httpd_stop($h);

# ---- renewal (refresh token grant) at a PS256 location ----------------------------------------------------
# Tokens of 2 s are renewed halfway through their life (Auth0RefreshBeforeExpiry's margin is cut to half
# a short token's life): a request a second and more after the last token came renews the access token
# with the refresh token (offline_access), and the ID token the refresh returns is checked like the
# login's, as PS256. (The wait is the token's life going by, which is what is tested.)
# Rotating refresh tokens: a renewal's result is shared for a minute under the refresh token it spent, so
# without rotation the next requests would take that result instead of renewing again.
settings(remove_alg_from_jwks => 1, access_token_lifetime => 2, refresh_token_rotation => JSON::PP::true);
my $REFRESH = 'POST /oauth/token grant=refresh_token';
my $NAME = '__Host-auth0_session';
($h, $base) = app_site_start(qq{Auth0IDTokenSigningAlg PS256\nAuth0Scope "openid profile email offline_access"},
	%ps256_app);
my $b = browser();
$res = $b->visit("$base/echo");
my $token_at = time;
sub token_half_gone { wait_until(3, sub { time - $token_at > 1.2 }); $token_at = time }
is $res->code, 200, 'a PS256 application with a refresh token logs in';
is json_of($res)->{HTTP_X_AUTH0_NAME}, 'Alice Liddell', '... with the claims of its ID token';
my $refreshes = counter($REFRESH);
# the renewal's ID token (PS256, as every one of ps256-client) carries a changed claim
tweak_tokens({which => 'id', claims => {name => 'Alice Renewed'}});
my $mark = length log_of($h);
token_half_gone();
$res = $b->get("$base/echo");
is $res->code, 200, 'a renewal whose new ID token is PS256: the session stays';
is counter($REFRESH) - $refreshes, 1, '... renewed with the refresh token';
is json_of($res)->{REMOTE_USER}, ALICE, '... for the same user';
is json_of($res)->{HTTP_X_AUTH0_NAME}, 'Alice Renewed', '... with the claims of the renewed PS256 ID token';
my $log = substr(log_of($h), $mark);
like $log, qr/access token of \S+ renewed/, '... logged as renewed';
unlike $log, qr/ID token of a refresh/, '... without a word against its ID token';
ok scalar(grep {/^\Q$NAME\E=/ && !/Max-Age=0/} $res->header('Set-Cookie')), '... which is stored in the session';
# (the tweak was for one token: the next renewal's ID token has the user's own name again)
token_half_gone();
is json_of($b->get("$base/echo"))->{HTTP_X_AUTH0_NAME}, 'Alice Liddell', 'the next renewal takes its ID token\'s claims too';

# The tenant now signs the application's ID tokens RS256 (its signing algorithm changed in the Dashboard):
# the renewal's RS256 ID token is refused at a PS256 location like a login's, and a token refused that way
# (not one that merely cannot be checked now) ends the session, revoking the refresh token the tenant gave.
my $patch = Auth0Test::Api::update_client('ps256-client', {jwt_configuration => {alg => 'RS256', lifetime_in_seconds => 36000}});
is $patch->code, 200, 'the tenant switches ps256-client to RS256 (Management API)' or diag $patch->decoded_content;
$refreshes = counter($REFRESH);
my $revokes = counter('POST /oauth/revoke');
$mark = length log_of($h);
token_half_gone();
$res = $b->get("$base/echo");
is $res->code, 302, 'a renewal whose new ID token is RS256 at a PS256 location: the session ends, log in again';
is counter($REFRESH) - $refreshes, 1, '... after the refresh token grant';
like substr(log_of($h), $mark),
	qr/the ID token of a refresh is not valid: Signature algorithm of "RS256" is not supported\. Expected the ID token to be signed with "PS256"/,
	'... refused as an algorithm mismatch';
ok((grep {/^\Q$NAME\E=;.*Max-Age=0/} $res->header('Set-Cookie')), '... its cookie deleted');
is counter('POST /oauth/revoke') - $revokes, 1, '... and the refresh token the tenant gave revoked';
is $b->get("$base/echo", Accept => 'application/json')->code, 401, '... the browser has no session any more';
httpd_stop($h);

reset_tenant();

done_testing;
