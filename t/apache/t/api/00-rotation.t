# The tenant rotates its signing key while httpd serves: tokens signed with
# the new key are accepted (one JWKS refetch for the new kid), and tokens
# signed with the previous key, still published, too.
#
# It runs first among the tests that use the tenant's keys: libauth0 refetches
# the JWKS for an unknown kid at most once a minute, and t/api/bearer.t uses a
# made-up kid.
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
my $old_used   = m2m_token();
my $old_unused = m2m_token();
is(bearer_get($V, '/cgi/x', $old_used)->code, 200, 'token signed with the current key: 200');
my $jwks = counter($JWKS);

my $rotated = control(POST => '/__control/keys/rotate', {});
ok($rotated->{kid}, 'the tenant rotated its key');
my $new = m2m_token();
isnt(decode_jwt_header($new)->{kid}, decode_jwt_header($old_used)->{kid}, 'the new token has the new kid');

my $res = bearer_get($V, '/cgi/x', $new);
is($res->code, 200, 'token signed with the new key: 200') or diag www_authenticate($res);
is(counter($JWKS), $jwks + 1, 'one JWKS refetch for the new kid');
is(bearer_get($V, '/cgi/x', $new)->code, 200, 'again: 200');
is(bearer_get($V, '/cgi/x', $old_unused)->code, 200, 'a token signed with the previous key (still published): 200');
is(bearer_get($V, '/cgi/x', $old_used)->code, 200, 'the token used before the rotation: 200');
is(counter($JWKS), $jwks + 1, 'no more JWKS requests');

# back to the seed keys (the previous key, which httpd still has)
reset_tenant();
is(bearer_get($V, '/cgi/x', m2m_token())->code, 200, 'after the tenant went back to its first key: 200');

sub decode_jwt_header {
	my ($jwt) = @_;
	my ($h) = split /\./, $jwt;
	return JSON::PP->new->decode(MIME::Base64::decode_base64url($h));
}

done_testing();
