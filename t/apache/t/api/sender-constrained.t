# Sender-constrained access tokens (RFC 7800 cnf: DPoP-bound cnf.jkt, RFC 9449, or certificate-bound
# cnf.x5t#S256, RFC 8705) need a proof of the key that mod_auth0 does not check: they are refused, never
# taken as plain bearer tokens (a stolen one would work), and never cached as valid. The DPoP scheme gets a
# Bearer challenge that says it is not supported.
use strict;
use warnings FATAL => 'all';

use Test::More;
use FindBin;
use lib "$FindBin::Bin/../../lib";
use Auth0Test;
use Auth0Test::Api;

my $V     = 'BEARER';
my $REALM = 'Bearer realm="https://api.example.com/"';
my $BOUND = qq{$REALM, error="invalid_token", error_description="The access token is bound to a key }
  . q{(sender-constrained); this API does not accept such tokens"};
my $DPOP = qq{$REALM, error="invalid_token", error_description="The DPoP scheme is not supported; this API }
  . q{accepts Bearer tokens not bound to a key"};

reset_tenant();

# A bound token, signed by the tenant and otherwise valid, is refused with the same answer every time: each
# request validates it again (no process or shared cache answers for it).
sub refused_every_time {
	my ($token, $name, $path) = @_;
	my $mark = log_mark();
	for my $n (1 .. 3) {
		my $res = bearer_get($V, $path, $token);
		is($res->code, 401, "$name, request $n: 401");
		is(www_authenticate($res), $BOUND, "$name, request $n: invalid_token, bound to a key");
		unlike($res->content, qr/REMOTE_USER/, "$name, request $n: the backend did not run");
	}
	my $log = log_since($mark);
	my $refusals = () = $log =~ /bearer token refused: it is sender-constrained/g;
	is($refusals, 3, "$name: refused after validation each time") or diag $log;
	unlike($log, qr/bearer token (?:from the process cache|[0-9a-f]{8}: (?:from the shared cache|validated))/,
		"$name: never validated, nor found in a cache");
}

for my $case ([jkt => 'DPoP-bound (cnf.jkt)'], ['x5t#S256' => 'certificate-bound (cnf.x5t#S256)']) {
	my ($member, $name) = @$case;
	tweak_next_token(claims => {cnf => {$member => '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I'}});
	my $token = m2m_token();
	ok(decode_jwt($token)->{cnf}{$member}, "$name: the tenant minted it");
	refused_every_time($token, $name, '/cgi/x');
	refused_every_time($token, "$name, Auth0Unauthenticated pass", '/cgi-pass/x');
}

# a cnf of any form binds the token to something this module cannot check
tweak_next_token(claims => {cnf => {jwk => {kty => 'EC', crv => 'P-256', x => 'AA', y => 'AA'}}});
refused_every_time(m2m_token(), 'cnf with a jwk', '/cgi/x');

{
	# the same client's token without cnf passes: only the binding is refused
	my $res = bearer_get($V, '/cgi/x', m2m_token());
	is($res->code, 200, 'the same token without cnf: 200');
}

# ---- the DPoP scheme ---------------------------------------------------------------------------------------------------
{
	my $token = m2m_token();
	for my $header ("DPoP $token", "dpop $token", 'DPoP') {
		(my $shown = $header) =~ s/\s.*/ <token>/;
		for my $path ('/cgi/x', '/cgi-pass/x') {
			my $res = bearer_get($V, $path, undef, Authorization => $header, DPoP => 'eyJ0eXAiOiJkcG9wK2p3dCJ9.e30.c2ln');
			is($res->code, 401, "Authorization: $shown at $path: 401");
			is(www_authenticate($res), $DPOP, "Authorization: $shown at $path: a Bearer challenge, DPoP not supported");
			unlike($res->content, qr/REMOTE_USER/, "Authorization: $shown at $path: the backend did not run");
		}
	}
	# "DPoPx" is another scheme: no credentials
	my $res = bearer_get($V, '/cgi/x', undef, Authorization => "DPoPx $token");
	is(www_authenticate($res), $REALM, '"DPoPx" is another scheme: the bare challenge');
}

done_testing();
