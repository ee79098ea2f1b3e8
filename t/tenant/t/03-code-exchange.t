use Mojo::Base -strict, -signatures;

use FindBin;
use lib "$FindBin::Bin/lib";

use Crypt::JWT qw(decode_jwt);
use Crypt::Misc qw(decode_b64u);
use Crypt::PK::RSA;
use Test::More;
use TenantTest qw(new_tenant base jwt_parts login_code m2m_token pkce_pair);

my $t    = new_tenant();
my $base = base($t);
my $cb   = 'https://127.0.0.1:8443/callback';
my %auth = (grant_type => 'authorization_code', client_id => 'demo-web-client', client_secret => 'demo-web-secret',
  redirect_uri => $cb);

sub exchange (%body) { $t->post_ok('/oauth/token' => json => {%auth, %body}) }

subtest 'tokens of a code exchange' => sub {
  my $code = login_code($t, 'alice@example.com', nonce => 'abc', audience => 'https://api.example.com/',
    scope => 'openid profile email offline_access read:messages write:messages');
  exchange(code => $code)->status_is(200)->header_is('Cache-Control' => 'no-store')->json_is('/token_type' => 'Bearer')
    ->json_is('/expires_in' => 86400)->json_has('/refresh_token')
    ->json_is('/scope' => 'openid profile email offline_access read:messages write:messages');
  my $res = $t->tx->res->json;

  my ($h, $id) = jwt_parts($res->{id_token});
  is $h->{alg}, 'RS256', 'ID token RS256';
  ok $h->{kid}, 'ID token has a kid';
  is $id->{iss}, "$base/", 'iss with trailing slash';
  is $id->{aud}, 'demo-web-client', 'aud is the client';
  is $id->{sub}, 'auth0|a11ce0000000000000000001', 'sub';
  is $id->{nonce}, 'abc', 'nonce';
  ok $id->{auth_time} && $id->{sid}, 'auth_time and sid';
  is $id->{exp} - $id->{iat}, 36000, 'ID token lifetime';
  is $id->{email}, 'alice@example.com', 'email claim (email scope)';
  is $id->{name}, 'Alice Liddell', 'name claim (profile scope)';
  is_deeply $id->{'https://example.com/roles'}, ['admin'], 'namespaced roles claim';
  ok !exists $id->{azp}, 'no azp with a single audience';

  my ($ah, $at) = jwt_parts($res->{access_token});
  is $ah->{typ}, 'at+jwt', 'access token typ';
  is_deeply $at->{aud}, ['https://api.example.com/', "$base/userinfo"], 'API and userinfo audiences';
  is $at->{azp}, 'demo-web-client', 'azp';
  is_deeply $at->{permissions}, ['read:messages', 'write:messages'], 'RBAC permissions';
  is $at->{scope}, 'openid profile email offline_access read:messages write:messages', 'scope claim';

  # The tokens verify with the published keys.
  my $jwks = $t->get_ok('/.well-known/jwks.json')->tx->res->json;
  ok eval { decode_jwt(token => $res->{id_token}, kid_keys => $jwks) }, 'ID token verifies against the JWKS';
  ok eval { decode_jwt(token => $res->{access_token}, kid_keys => $jwks) }, 'access token verifies against the JWKS';
};

subtest 'RBAC limits API scopes to permissions' => sub {
  my $code = login_code($t, 'bob@example.com', audience => 'https://api.example.com/',
    scope => 'openid read:messages write:messages');
  exchange(code => $code)->status_is(200)->json_is('/scope' => 'openid read:messages');
  my (undef, $at) = jwt_parts($t->tx->res->json->{access_token});
  is_deeply $at->{permissions}, ['read:messages'], 'bob only reads';
};

subtest 'no audience: opaque access token, userinfo only' => sub {
  my $code = login_code($t, 'bob@example.com', scope => 'openid profile');
  exchange(code => $code)->status_is(200);
  my $res = $t->tx->res->json;
  unlike $res->{access_token}, qr/\./, 'opaque access token';
  ok !exists $res->{refresh_token}, 'no refresh token without offline_access';
  $t->get_ok('/userinfo' => {Authorization => "Bearer $res->{access_token}"})->status_is(200)
    ->json_is('/sub' => 'auth0|b0b000000000000000000002')->json_is('/name' => 'Bob Builder');
};

subtest 'single use, replay revokes' => sub {
  my $code = login_code($t, 'alice@example.com');
  exchange(code => $code)->status_is(200);
  my $rt = $t->tx->res->json->{refresh_token};
  $t->post_ok('/oauth/token' => form => {grant_type => 'refresh_token', client_id => 'demo-web-client',
      client_secret => 'demo-web-secret', refresh_token => $rt})->status_is(200, 'refresh token works');
  exchange(code => $code)->status_is(403)->json_is('/error' => 'invalid_grant')
    ->json_is('/error_description' => 'Invalid authorization code');
  $t->post_ok('/oauth/token' => form => {grant_type => 'refresh_token', client_id => 'demo-web-client',
      client_secret => 'demo-web-secret', refresh_token => $rt})->status_is(403, 'replay revoked the refresh token')
    ->json_is('/error' => 'invalid_grant');
};

subtest 'redirect_uri, client, expiry' => sub {
  my $code = login_code($t, 'alice@example.com');
  exchange(code => $code, redirect_uri => 'https://127.0.0.1:9999/callback')->status_is(403)
    ->json_is('/error' => 'invalid_grant');
  exchange(code => $code)->status_is(403, 'a failed exchange used the code up');

  $code = login_code($t, 'alice@example.com');
  $t->post_ok('/oauth/token' => json => {%auth, code => $code, client_id => 'hs256-client',
      client_secret => 'hs256-client-secret-at-least-32-bytes-long'})->status_is(403, 'code of another client');

  $code = login_code($t, 'alice@example.com');
  $t->post_ok('/__control/settings' => json => {clock_offset => 61})->status_is(200);
  exchange(code => $code)->status_is(403, 'codes expire after 60 s')->json_is('/error' => 'invalid_grant');
  $t->post_ok('/__control/settings' => json => {clock_offset => 0});
  exchange(code => 'garbage')->status_is(403);
  exchange()->status_is(400)->json_is('/error' => 'invalid_request');
};

subtest 'PKCE' => sub {
  my ($verifier, $challenge) = pkce_pair();
  my $code = login_code($t, 'alice@example.com', code_challenge => $challenge, code_challenge_method => 'S256');
  exchange(code => $code, code_verifier => 'x' x 43)->status_is(403)
    ->json_is('/error_description' => 'Failed to verify code verifier');
  $code = login_code($t, 'alice@example.com', code_challenge => $challenge, code_challenge_method => 'S256');
  exchange(code => $code)->status_is(403, 'verifier missing');
  $code = login_code($t, 'alice@example.com', code_challenge => $challenge, code_challenge_method => 'S256');
  exchange(code => $code, code_verifier => $verifier)->status_is(200);

  $code = login_code($t, 'alice@example.com', code_challenge => $verifier, code_challenge_method => 'plain');
  exchange(code => $code, code_verifier => $verifier)->status_is(200, 'plain method');
  $code = login_code($t, 'alice@example.com');
  exchange(code => $code, code_verifier => $verifier)->status_is(403, 'verifier without a challenge');
};

subtest 'HS256 ID tokens' => sub {
  my $code = login_code($t, 'alice@example.com', client_id => 'hs256-client');
  $t->post_ok('/oauth/token' => {Authorization => 'Basic aHMyNTYtY2xpZW50OmhzMjU2LWNsaWVudC1zZWNyZXQtYXQtbGVhc3QtMzItYnl0ZXMtbG9uZw=='}
      => form => {grant_type => 'authorization_code', code => $code, redirect_uri => $cb})->status_is(200);
  my $id = $t->tx->res->json->{id_token};
  my ($h) = jwt_parts($id);
  is $h->{alg}, 'HS256', 'HS256';
  ok !exists $h->{kid}, 'no kid';
  ok eval { decode_jwt(token => $id, key => 'hs256-client-secret-at-least-32-bytes-long') }, 'signed with the secret';
};

subtest 'PS256 ID tokens' => sub {
  my $code = login_code($t, 'alice@example.com', client_id => 'ps256-client');
  $t->post_ok('/oauth/token' => form => {grant_type => 'authorization_code', code => $code, redirect_uri => $cb,
      client_id => 'ps256-client', client_secret => 'ps256-client-secret-at-least-32-bytes-long'})->status_is(200);
  my $id = $t->tx->res->json->{id_token};
  my ($h) = jwt_parts($id);
  is $h->{alg}, 'PS256', 'PS256';
  $t->get_ok('/.well-known/jwks.json');
  my $jwks = $t->tx->res->json;
  is $h->{kid}, $jwks->{keys}[0]{kid}, 'signed with the current key';
  ok eval { decode_jwt(token => $id, kid_keys => $jwks, accepted_alg => 'PS256') }, 'verifies as PS256 with the JWKS';
  ok !eval { decode_jwt(token => $id, kid_keys => $jwks, accepted_alg => 'RS256') }, 'not as RS256';
  # RFC 7518 3.5: salt as long as the hash; Crypt::PK::RSA checks the length it is given.
  my ($input, $sig) = $id =~ /^([^.]+\.[^.]+)\.([^.]+)$/;
  my $pk = Crypt::PK::RSA->new($jwks->{keys}[0]);
  ok $pk->verify_message(decode_b64u($sig), $input, 'SHA256', 'pss', 32), 'salt of 32 bytes';
  ok !$pk->verify_message(decode_b64u($sig), $input, 'SHA256', 'pss', 20), 'not 20';
  $t->get_ok('/.well-known/openid-configuration')
    ->json_is('/id_token_signing_alg_values_supported' => ['HS256', 'RS256', 'PS256'], 'PS256 advertised');

  # Any client set to PS256 through the Management API.
  my $m2m = m2m_token($t);
  $t->patch_ok('/api/v2/clients/demo-web-client' => {Authorization => "Bearer $m2m"}
      => json => {jwt_configuration => {alg => 'PS256', lifetime_in_seconds => 36000}})->status_is(200);
  exchange(code => login_code($t, 'alice@example.com'))->status_is(200);
  ($h) = jwt_parts($t->tx->res->json->{id_token});
  is $h->{alg}, 'PS256', 'a client PATCHed to PS256 gets PS256 ID tokens';
  $t->post_ok('/__control/reset')->status_is(200);
};

subtest 'acr_values with the multi-factor policy: amr and acr in the ID token' => sub {
  my $policy = 'http://schemas.openid.net/pape/policies/2007/06/multi-factor';
  my $code   = login_code($t, 'alice@example.com', acr_values => $policy);
  exchange(code => $code)->status_is(200);
  my (undef, $id) = jwt_parts($t->tx->res->json->{id_token});
  is_deeply $id->{amr}, ['mfa'], 'amr ["mfa"]';
  is $id->{acr}, $policy, 'acr the policy';
  $code = login_code($t, 'alice@example.com');
  exchange(code => $code)->status_is(200);
  (undef, $id) = jwt_parts($t->tx->res->json->{id_token});
  ok !exists $id->{amr}, 'no amr without acr_values';
  $t->post_ok('/__control/settings' => json => {honor_acr_values => 0})->status_is(200);
  $code = login_code($t, 'alice@example.com', acr_values => $policy);
  exchange(code => $code)->status_is(200);
  (undef, $id) = jwt_parts($t->tx->res->json->{id_token});
  ok !exists $id->{amr}, 'honor_acr_values 0: no second factor';
  $t->post_ok('/__control/settings' => json => {honor_acr_values => 1})->status_is(200);
};

subtest 'logout tokens (POST /__control/logout-token)' => sub {
  $t->post_ok('/__control/logout-token' => json => {client_id => 'demo-web-client', sub => 'auth0|x', sid => 's1'})
    ->status_is(200);
  my ($h, $lt) = jwt_parts($t->tx->res->json->{logout_token});
  is $h->{typ}, 'logout+jwt', 'typ logout+jwt';
  ok $h->{kid}, 'signed with the current key';
  is $lt->{aud}, 'demo-web-client', 'aud the client';
  is $lt->{iss}, "$base/", 'iss';
  is_deeply $lt->{events}, {'http://schemas.openid.net/event/backchannel-logout' => {}}, 'the logout event';
  ok $lt->{jti} && $lt->{iat} && !exists $lt->{nonce}, 'jti and iat, no nonce';
  is $lt->{sid}, 's1', 'sid';
  $t->post_ok('/__control/logout-token' => json => {client_id => 'demo-web-client', sub => 'auth0|x',
      claims => {jti => undef, extra => 1}, header => {typ => 'JWT'}})->status_is(200);
  ($h, $lt) = jwt_parts($t->tx->res->json->{logout_token});
  ok !exists $lt->{jti} && $lt->{extra} == 1 && $h->{typ} eq 'JWT' && !exists $lt->{sid}, 'changes apply';
  $t->post_ok('/__control/logout-token' => json => {client_id => 'nope'})->status_is(404);
};

done_testing;
