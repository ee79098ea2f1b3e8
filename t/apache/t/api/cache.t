# The validated-token cache: a token is verified once, then served from the
# process or shared cache (no JWKS request, no signature check) until its exp.
use strict;
use warnings FATAL => 'all';

use Test::More;
use FindBin;
use lib "$FindBin::Bin/../../lib";
use Auth0Test;
use Auth0Test::Api;

my $V    = 'BEARER';
my $JWKS = 'GET /.well-known/jwks.json';

reset_tenant();
{
	my $token = m2m_token();
	my $mark  = log_mark();
	is(bearer_get($V, '/cgi/x', $token)->code, 200, 'first request: 200');
	my $log = log_since($mark);
	my ($id) = $log =~ /bearer token ([0-9a-f]{8}): validated/;
	ok($id, 'first request: the token was validated') or diag $log;
	unlike($log, qr/\Q$token\E/, 'the token is never logged');

	my $jwks = counter($JWKS);
	$mark = log_mark();
	for (1 .. 20) {
		bearer_get($V, '/cgi/x', $token)->code == 200 or fail("request $_ failed");
	}
	$log = log_since($mark);
	my $hits = () = $log =~ /bearer token (?:from the process cache|\Q$id\E: from the shared cache)/g;
	is($hits, 20, 'the next 20 requests: served from a cache');
	unlike($log, qr/bearer token \Q$id\E: validated/, 'the next 20 requests: no validation');
	is(counter($JWKS), $jwks, 'no JWKS request');

	# another location validates against other expectations: its own cache entry
	$mark = log_mark();
	bearer_get($V, '/cgi-headers/x', $token);
	like(log_since($mark), qr/bearer token (?:[0-9a-f]{8}: )?(?:validated|from the)/, 'same expectations elsewhere');
	$mark = log_mark();
	is(bearer_get($V, '/cgi-other-audience/x', $token)->code, 401, 'a cached token is not valid for another audience');
}

# A cached token stops working at its exp (+ the 60 s leeway): it expires 3 seconds from now. Times are
# whole seconds (the tenant's iat, the server's clock), so it is accepted until 2 s to 3 s after the tenant
# made it: time enough for the first request, even on a slow machine (2 s of it left as little as 1 s).
{
	tweak_next_token(exp_offset => -86400 - 57);
	my $token = m2m_token();
	is(bearer_get($V, '/cgi/x', $token)->code, 200, 'token within its leeway: 200 (and cached)');
	my $code = wait_until(10, sub { my $c = bearer_get($V, '/cgi/x', $token)->code; $c == 401 ? $c : 0 });
	is($code, 401, 'the cached token is refused once expired');
	is(www_authenticate(bearer_get($V, '/cgi/x', $token)),
		'Bearer realm="https://api.example.com/", error="invalid_token", error_description="The access token expired"',
		'expired: challenge');
}

done_testing();
