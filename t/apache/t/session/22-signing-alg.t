# Auth0IDTokenSigningAlg: an application whose ID tokens Auth0 signs with HS256 (the client secret) or PS256
# (the tenant's RSA keys, RSA-PSS) logs in with that algorithm set, and only with it: the algorithm is pinned
# every way, so a token signed otherwise is refused.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
use Auth0Test::Api ();
use HTTP::Request;
use JSON::PP ();
use LWP::UserAgent;
use Test::More;

reset_tenant();
autologin('alice@example.com');
my %hs256_app = (client_id => 'hs256-client', client_secret => 'hs256-client-secret-at-least-32-bytes-long');

sub site_with {
	my ($vhost, %app) = @_;
	my $port = free_port();
	my ($h, $out) = httpd_start(app_site(port => $port, vhost => $vhost, %app));
	ok $h, "httpd starts with: $vhost" or diag $out;
	return ($h, "https://127.0.0.1:$port");
}

# An application whose ID tokens are signed with $alg logs in with Auth0IDTokenSigningAlg $alg and is refused
# without it (RS256 by default); an RS256 application is refused under Auth0IDTokenSigningAlg $alg.
sub signing_alg_cases {
	my ($alg, %app) = @_;
	my ($h, $base) = site_with("Auth0IDTokenSigningAlg $alg", %app);
	my $res = browser()->visit("$base/echo");
	is $res->code, 200, "a $alg application logs in with Auth0IDTokenSigningAlg $alg";
	is json_of($res)->{REMOTE_USER}, ALICE, '... as the user';
	httpd_stop($h);

	($h, $base) = site_with('# RS256 by default', %app);
	$res = browser()->visit("$base/echo");
	is $res->code, 502, "the same application without it: the $alg ID token is refused";
	like log_of($h), qr/Signature algorithm of "$alg" is not supported\. Expected the ID token to be signed with "RS256"/,
		'... as an algorithm mismatch';
	httpd_stop($h);

	($h, $base) = site_with("Auth0IDTokenSigningAlg $alg");
	$res = browser()->visit("$base/echo");
	is $res->code, 502, "an RS256 application with Auth0IDTokenSigningAlg $alg: its ID token is refused";
	like log_of($h), qr/Expected the ID token to be signed with "$alg"/, '... as an algorithm mismatch';
	httpd_stop($h);
}

signing_alg_cases('HS256', %hs256_app);

# PS256 (Highly Regulated Identity). Auth0 signs with the keys it signs RS256 with: a JWKS whose keys say
# "alg": "RS256" does not verify PS256, so the tenant publishes them without alg (remove_alg_from_jwks).
my %ps256_app = (client_id => 'ps256-client', client_secret => 'ps256-client-secret-at-least-32-bytes-long');
settings(remove_alg_from_jwks => 1);
signing_alg_cases('PS256', %ps256_app);

# Keys that say RS256 are used for RS256 only, even by a PS256 location.
settings(remove_alg_from_jwks => 0);
my ($h, $base) = site_with('Auth0IDTokenSigningAlg PS256', %ps256_app);
my $res = browser()->visit("$base/echo");
is $res->code, 502, 'a JWKS whose keys say alg RS256: the PS256 ID token is refused';
like log_of($h), qr/Could not find a public key for Key ID/, '... as no key for it';
httpd_stop($h);

# ---- renewal (refresh token grant) at a PS256 location ----------------------------------------------------
# Tokens of 30 s are within the renewal margin: every request renews the access token with the refresh
# token (offline_access), and the ID token the refresh returns is checked like the login's, as PS256.
# Rotating refresh tokens: a renewal's result is shared for a minute under the refresh token it spent, so
# without rotation the next requests would take that result instead of renewing again.
settings(remove_alg_from_jwks => 1, access_token_lifetime => 30, refresh_token_rotation => JSON::PP::true);
my $REFRESH = 'POST /oauth/token grant=refresh_token';
my $NAME = '__Host-auth0_session';
($h, $base) = site_with(qq{Auth0IDTokenSigningAlg PS256\nAuth0Scope "openid profile email offline_access"},
	%ps256_app);
my $b = browser();
$res = $b->visit("$base/echo");
is $res->code, 200, 'a PS256 application with a refresh token logs in';
is json_of($res)->{HTTP_X_AUTH0_NAME}, 'Alice Liddell', '... with the claims of its ID token';
my $refreshes = counter($REFRESH);
# the renewal's ID token (PS256, as every one of ps256-client) carries a changed claim
tweak_tokens({which => 'id', claims => {name => 'Alice Renewed'}});
my $mark = length log_of($h);
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
is json_of($b->get("$base/echo"))->{HTTP_X_AUTH0_NAME}, 'Alice Liddell', 'the next renewal takes its ID token\'s claims too';

# The tenant now signs the application's ID tokens RS256 (its signing algorithm changed in the Dashboard):
# the renewal's RS256 ID token is refused at a PS256 location like a login's, and a token refused that way
# (not one that merely cannot be checked now) ends the session, revoking the refresh token the tenant gave.
my $mgmt = Auth0Test::Api::token(grant_type => 'client_credentials', client_id => 'demo-m2m-client',
	client_secret => 'demo-m2m-secret', audience => tenant_url() . '/api/v2/')->{access_token};
my $ua = LWP::UserAgent->new(timeout => 30, ssl_opts => {SSL_ca_file => $ENV{AUTH0_TEST_CA_FILE}});
$ua->env_proxy(0);
my $patch = $ua->request(HTTP::Request->new(PATCH => tenant_url() . '/api/v2/clients/ps256-client',
	['Authorization' => "Bearer $mgmt", 'Content-Type' => 'application/json'],
	JSON::PP::encode_json({jwt_configuration => {alg => 'RS256', lifetime_in_seconds => 36000}})));
is $patch->code, 200, 'the tenant switches ps256-client to RS256 (Management API)' or diag $patch->decoded_content;
$refreshes = counter($REFRESH);
my $revokes = counter('POST /oauth/revoke');
$mark = length log_of($h);
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
