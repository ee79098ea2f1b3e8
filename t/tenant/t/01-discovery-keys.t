use Mojo::Base -strict, -signatures;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use TenantTest qw(new_tenant base jwt_parts m2m_token);

my $t    = new_tenant();
my $base = base($t);

$t->get_ok('/.well-known/openid-configuration')->status_is(200)->json_is('/issuer' => "$base/")
  ->json_is('/authorization_endpoint' => "$base/authorize")->json_is('/token_endpoint' => "$base/oauth/token")
  ->json_is('/jwks_uri' => "$base/.well-known/jwks.json")->json_is('/userinfo_endpoint' => "$base/userinfo")
  ->json_is('/end_session_endpoint' => "$base/oidc/logout")
  ->json_is('/pushed_authorization_request_endpoint' => "$base/oauth/par")
  ->json_is('/backchannel_authentication_endpoint' => "$base/bc-authorize")
  ->json_is('/device_authorization_endpoint' => "$base/oauth/device/code")
  ->json_is('/revocation_endpoint' => "$base/oauth/revoke");
my $doc = $t->tx->res->json;
for my $key (grep {/_endpoint$|_uri$/} keys %$doc) { like $doc->{$key}, qr{^\Q$base\E/}, "$key is absolute" }
ok((grep { $_ eq 'private_key_jwt' } @{$doc->{token_endpoint_auth_methods_supported}}), 'private_key_jwt advertised');
ok((grep { $_ eq 'urn:openid:params:grant-type:ciba' } @{$doc->{grant_types_supported}}), 'CIBA grant advertised');

$t->get_ok('/.well-known/jwks.json')->status_is(200);
my $keys = $t->tx->res->json->{keys};
is scalar @$keys, 2, 'current and previous keys are published';
for my $k (@$keys) {
  is $k->{kty}, 'RSA', 'RSA key';
  is $k->{use}, 'sig', 'signing key';
  is $k->{alg}, 'RS256', 'RS256';
  ok $k->{kid} && $k->{n} && $k->{e}, 'kid, n, e present';
  ok $k->{x5c} && $k->{x5t}, 'certificate chain present (keys from make-ca)';
}

# Auth0's tenant flag remove_alg_from_jwks (what PS256 applications need): the same keys without "alg".
$t->post_ok('/__control/settings' => json => {remove_alg_from_jwks => 1})->status_is(200);
$t->get_ok('/.well-known/jwks.json');
is_deeply [map { exists $_->{alg} ? 'alg' : $_->{kid} } @{$t->tx->res->json->{keys}}], [map { $_->{kid} } @$keys],
  'remove_alg_from_jwks: the same keys, no alg';
$t->post_ok('/__control/settings' => json => {remove_alg_from_jwks => 0})->status_is(200);
$t->get_ok('/.well-known/jwks.json')->json_is('/keys/0/alg' => 'RS256', 'back with alg');

# The current key signs.
my ($h) = jwt_parts(m2m_token($t));
is $h->{kid}, $keys->[0]{kid}, 'tokens are signed with the first (current) key';
is $h->{typ}, 'at+jwt', 'access tokens are typed at+jwt';

# Rotation keeps the old key published; drop_old removes it.
$t->post_ok('/__control/keys/rotate')->status_is(200);
my $new = $t->tx->res->json->{kid};
$t->get_ok('/.well-known/jwks.json');
is_deeply [map { $_->{kid} } @{$t->tx->res->json->{keys}}], [$new, $keys->[0]{kid}], 'new key first, old current kept';
($h) = jwt_parts(m2m_token($t));
is $h->{kid}, $new, 'the new key signs after rotation';
$t->get_ok('/__control/keys')->json_is('/current' => $new)->json_is('/keys/0/current' => 1);
$t->post_ok('/__control/keys/rotate' => json => {drop_old => \1})->status_is(200);
$t->get_ok('/.well-known/jwks.json');
is scalar @{$t->tx->res->json->{keys}}, 1, 'drop_old leaves one key';

$t->post_ok('/__control/reset')->status_is(200);
$t->get_ok('/.well-known/jwks.json');
is_deeply [map { $_->{kid} } @{$t->tx->res->json->{keys}}], [map { $_->{kid} } @$keys], 'reset restores the start keys';

done_testing;
