use Mojo::Base -strict, -signatures;

use FindBin;
use lib "$FindBin::Bin/lib";

use Crypt::JWT qw(decode_jwt);
use Test::More;
use TenantTest qw(new_tenant base jwt_parts login_code password_login);

my $t    = new_tenant();
my $base = base($t);
my %web  = (client_id => 'demo-web-client', client_secret => 'demo-web-secret');
my %m2m  = (grant_type => 'client_credentials', client_id => 'demo-m2m-client', client_secret => 'demo-m2m-secret');

sub token (%body) { $t->post_ok('/oauth/token' => json => \%body) }

subtest 'grant type checks' => sub {
  token(%web)->status_is(400)->json_is('/error' => 'invalid_request');
  token(%web, grant_type => 'urn:example:nope')->status_is(400)->json_is('/error' => 'unsupported_grant_type');
  token(%m2m, grant_type => 'password', username => 'a', password => 'b')->status_is(403)
    ->json_is('/error' => 'unauthorized_client');
  $t->post_ok('/oauth/token' => {'Content-Type' => 'application/json'} => '{"grant_type":')->status_is(400)
    ->json_is('/error' => 'invalid_request');
  $t->post_ok('/oauth/token' => form => {grant_type => ['password', 'password'], %web})->status_is(400, 'repeated parameter');
};

subtest 'client_credentials' => sub {
  token(%m2m, audience => "$base/api/v2/")->status_is(200)->json_is('/token_type' => 'Bearer')->json_is('/expires_in' => 86400)
    ->json_like('/scope' => qr/\bread:users\b/);
  my ($h, $c) = jwt_parts($t->tx->res->json->{access_token});
  is $c->{sub}, 'demo-m2m-client@clients', 'sub';
  is $c->{gty}, 'client-credentials', 'gty';
  is $c->{aud}, "$base/api/v2/", 'aud is the API';
  ok !exists $t->tx->res->json->{id_token}, 'no ID token';

  token(%m2m)->status_is(403)->json_is('/error' => 'access_denied');
  token(%m2m, audience => 'https://nope.example/')->status_is(403)->json_like('/error_description' => qr/Service not enabled/);
  token(%m2m, audience => "$base/mfa/")->status_is(403)->json_like('/error_description' => qr/client-grant/);
  token(%m2m, audience => "$base/api/v2/", scope => 'read:users delete:everything')->status_is(200)
    ->json_is('/scope' => 'read:users');
  token(%m2m, audience => "$base/api/v2/", organization => undef, scope => undef)->status_is(200, 'JSON nulls are ignored');

  token(%m2m, audience => 'https://api.example.com/', organization => 'acme')->status_is(200);
  (undef, $c) = jwt_parts($t->tx->res->json->{access_token});
  is $c->{org_id}, 'org_acme123', 'organization in M2M tokens';
  is_deeply $c->{permissions}, ['read:messages', 'write:messages'], 'permissions for an RBAC API';
  token(%m2m, audience => 'https://api.example.com/', organization => 'globex')->status_is(403);
  token(%m2m, audience => 'https://api.example.com/', organization => 'nope')->status_is(400);
  token(%m2m, audience => 'https://api.example.com/')->status_is(200);
  ($h) = jwt_parts($t->tx->res->json->{access_token});
  is $h->{alg}, 'RS256', 'an RS256 API: RS256 access tokens';

  # An API whose Signing Algorithm is PS256: its access tokens are PS256 with the current key.
  token(%m2m, audience => 'https://ps256-api.example.com/')->status_is(200);
  my $ps = $t->tx->res->json->{access_token};
  ($h, $c) = jwt_parts($ps);
  is $h->{alg}, 'PS256', 'a PS256 API: PS256 access tokens';
  is $c->{aud}, 'https://ps256-api.example.com/', '... for that API';
  $t->get_ok('/.well-known/jwks.json');
  my $jwks = $t->tx->res->json;
  ok eval { decode_jwt(token => $ps, kid_keys => $jwks, accepted_alg => 'PS256') }, '... that verify as PS256';

  $t->post_ok('/__control/settings' => json => {access_token_lifetime => 120})->status_is(200);
  token(%m2m, audience => "$base/api/v2/")->json_is('/expires_in' => 120);
  ($h, $c) = jwt_parts($t->tx->res->json->{access_token});
  is $c->{exp} - $c->{iat}, 120, 'lifetime setting applies to the token';
  $t->post_ok('/__control/settings' => json => {access_token_lifetime => undef});
  $t->post_ok('/__control/settings' => json => {bogus => 1})->status_is(400);
};

subtest 'password and password-realm' => sub {
  my $res = password_login($t)->res;
  is $res->code, 200, 'password grant';
  my (undef, $id) = jwt_parts($res->json->{id_token});
  is $id->{sub}, 'auth0|a11ce0000000000000000001', 'alice';
  is password_login($t, username => 'alice')->res->code, 200, 'username works too';
  is password_login($t, password => 'bad')->res->json->{error_description}, 'Wrong email or password.', 'wrong password';
  is password_login($t, password => 'bad')->res->code, 403, '... is 403';
  my $blocked = password_login($t, username => 'blocked@example.com', password => 'Blocked-Passw0rd!')->res;
  is $blocked->code, 401, 'blocked user: 401';
  is $blocked->json->{error}, 'unauthorized', 'blocked: unauthorized';
  my $mfa = password_login($t, username => 'mfa@example.com', password => 'Mfa-Passw0rd!')->res;
  is $mfa->code, 403, 'MFA user: 403';
  is $mfa->json->{error}, 'mfa_required', 'mfa_required';
  is $mfa->json->{error_description}, 'Multifactor authentication required', 'Auth0 message';
  ok $mfa->json->{mfa_token}, 'mfa_token';

  my $realm = password_login($t, grant_type => 'http://auth0.com/oauth/grant-type/password-realm',
    realm => 'Username-Password-Authentication')->res;
  is $realm->code, 200, 'password-realm';
  is password_login($t, grant_type => 'http://auth0.com/oauth/grant-type/password-realm', realm => 'sms')->res->code, 400,
    'realm must be a database connection';
  is password_login($t, audience => 'https://nope.example/')->res->code, 403, 'unknown audience';
  is password_login($t, organization => 'globex')->res->code, 403, 'not a member of the organization';
  my $org = password_login($t, organization => 'acme')->res;
  is((jwt_parts($org->json->{id_token}))[1]{org_id}, 'org_acme123', 'organization claim');
};

subtest 'refresh tokens' => sub {
  my $res = password_login($t, scope => 'openid')->res;
  ok !exists $res->json->{refresh_token}, 'no refresh token without offline_access';

  $res = password_login($t, scope => 'openid offline_access', audience => 'https://api.example.com/')->res;
  my $rt = $res->json->{refresh_token};
  ok $rt, 'refresh token with offline_access';
  token(%web, grant_type => 'refresh_token', refresh_token => $rt)->status_is(200)->json_has('/id_token')
    ->json_hasnt('/refresh_token', 'non-rotating: no new refresh token');
  my (undef, $at) = jwt_parts($t->tx->res->json->{access_token});
  is $at->{aud}[0], 'https://api.example.com/', 'same audience';
  token(%web, grant_type => 'refresh_token', refresh_token => $rt, scope => 'openid')->status_is(200)
    ->json_is('/scope' => 'openid', 'down-scoping');
  token(%web, grant_type => 'refresh_token', refresh_token => $rt, scope => 'openid email')->status_is(403)
    ->json_is('/error' => 'invalid_scope');
  token(grant_type => 'refresh_token', refresh_token => $rt, client_id => 'hs256-client',
    client_secret => 'hs256-client-secret-at-least-32-bytes-long')->status_is(403, 'another client');

  # Rotation: each use returns a new token; reusing an old one revokes the family.
  $t->post_ok('/__control/settings' => json => {refresh_token_rotation => \1});
  token(%web, grant_type => 'refresh_token', refresh_token => $rt)->status_is(200)->json_has('/refresh_token');
  my $rt2 = $t->tx->res->json->{refresh_token};
  token(%web, grant_type => 'refresh_token', refresh_token => $rt2)->status_is(200);
  my $rt3 = $t->tx->res->json->{refresh_token};
  token(%web, grant_type => 'refresh_token', refresh_token => $rt)->status_is(403, 'reuse detected');
  token(%web, grant_type => 'refresh_token', refresh_token => $rt3)->status_is(403, 'the whole family is revoked');
  $t->post_ok('/__control/settings' => json => {refresh_token_rotation => undef});

  # Revocation.
  $rt = password_login($t, scope => 'openid offline_access')->res->json->{refresh_token};
  $t->post_ok('/oauth/revoke' => json => {%web, token => $rt})->status_is(200)->content_is('');
  token(%web, grant_type => 'refresh_token', refresh_token => $rt)->status_is(403, 'revoked');
  $t->post_ok('/oauth/revoke' => json => {%web, token => 'unknown'})->status_is(200, 'unknown token: 200 anyway');
  $t->post_ok('/oauth/revoke' => json => {%web, client_secret => 'bad', token => 'x'})->status_is(401);
  $t->post_ok('/oauth/revoke' => json => {%web})->status_is(400);

  $rt = password_login($t, scope => 'openid offline_access')->res->json->{refresh_token};
  $t->post_ok('/__control/settings' => json => {clock_offset => 2592001});
  token(%web, grant_type => 'refresh_token', refresh_token => $rt)->status_is(403, 'refresh tokens expire');
  $t->post_ok('/__control/settings' => json => {clock_offset => 0});
};

subtest 'token exchange' => sub {
  my %te = (%web, grant_type => 'urn:ietf:params:oauth:grant-type:token-exchange',
    subject_token_type => 'urn:example:external-token', scope => 'openid email');
  token(%te, subject_token => 'bob@example.com')->status_is(200)->json_has('/id_token');
  my (undef, $id) = jwt_parts($t->tx->res->json->{id_token});
  is $id->{email}, 'bob@example.com', 'the exchanged user';
  token(%te, subject_token => 'nobody@example.com')->status_is(400)->json_is('/error' => 'invalid_request');
  token(%te, subject_token => 'bob@example.com', subject_token_type => 'urn:other')->status_is(400);
  token(%te)->status_is(400);
  token(%te, subject_token => 'blocked@example.com')->status_is(401);
};

done_testing;
