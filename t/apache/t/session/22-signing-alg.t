# Auth0IDTokenSigningAlg: an application whose ID tokens Auth0 signs with HS256 (the client secret) or PS256
# (the tenant's RSA keys, RSA-PSS) logs in with that algorithm set, and only with it: the algorithm is pinned
# every way, so a token signed otherwise is refused.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
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

done_testing;
