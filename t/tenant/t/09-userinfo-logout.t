use Mojo::Base -strict, -signatures;

use FindBin;
use lib "$FindBin::Bin/lib";

use Mojo::URL;
use Test::More;
use TenantTest qw(new_tenant base jwt_parts query_of password_login m2m_token);

my $t    = new_tenant();
my $base = base($t);

subtest userinfo => sub {
  my $res = password_login($t, audience => 'https://api.example.com/', scope => 'openid profile email read:messages')->res->json;
  $t->get_ok('/userinfo' => {Authorization => "Bearer $res->{access_token}"})->status_is(200)
    ->json_is('/sub' => 'auth0|a11ce0000000000000000001')->json_is('/email' => 'alice@example.com')
    ->json_is('/nickname' => 'alice')->json_is('/https:~1~1example.com~1roles' => ['admin']);
  $t->post_ok('/userinfo' => {Authorization => "Bearer $res->{access_token}"})->status_is(200, 'POST works too');

  $res = password_login($t, audience => 'https://api.example.com/', scope => 'openid')->res->json;
  $t->get_ok('/userinfo' => {Authorization => "Bearer $res->{access_token}"})->status_is(200)->json_hasnt('/email')
    ->json_hasnt('/name');

  $res = password_login($t, audience => 'https://api.example.com/', scope => 'read:messages')->res->json;
  $t->get_ok('/userinfo' => {Authorization => "Bearer $res->{access_token}"})->status_is(401, 'no userinfo audience');

  $t->get_ok('/userinfo')->status_is(401)->content_is('Unauthorized')->header_like('WWW-Authenticate' => qr/^Bearer realm=/);
  $t->get_ok('/userinfo' => {Authorization => 'Bearer nope'})->status_is(401)
    ->header_like('WWW-Authenticate' => qr/error="invalid_token"/);
  $t->get_ok('/userinfo' => {Authorization => 'Bearer ' . m2m_token($t)})->status_is(401, 'an M2M token is not for userinfo');

  $t->post_ok('/__control/tokens' => json => {which => 'access', exp_offset => -100000})->status_is(201);
  $res = password_login($t, audience => 'https://api.example.com/', scope => 'openid')->res->json;
  $t->get_ok('/userinfo' => {Authorization => "Bearer $res->{access_token}"})->status_is(401, 'expired token');
};

# An API whose Signing Algorithm is PS256: /userinfo verifies its tokens as PS256, the algorithm of the
# API the token names (RS256 for the others), never the one its header asks for.
subtest 'userinfo: a PS256 API' => sub {
  my $ps256 = 'https://ps256-api.example.com/';
  my $at    = password_login($t, audience => $ps256, scope => 'openid email read:messages')->res->json->{access_token};
  my ($h, $c) = jwt_parts($at);
  is $h->{alg}, 'PS256', 'the PS256 API: a PS256 access token';
  is_deeply $c->{aud}, [$ps256, "$base/userinfo"], '... for the API and /userinfo';
  $t->get_ok('/userinfo' => {Authorization => "Bearer $at"})->status_is(200)
    ->json_is('/sub' => 'auth0|a11ce0000000000000000001')->json_is('/email' => 'alice@example.com');

  # one character of the signature changed
  my ($head, $payload, $sig) = split /\./, $at;
  my $m = length($sig) >> 1;
  substr($sig, $m, 1) = substr($sig, $m, 1) eq 'A' ? 'B' : 'A';
  $t->get_ok('/userinfo' => {Authorization => "Bearer $head.$payload.$sig"})->status_is(401, 'tampered signature: 401')
    ->header_like('WWW-Authenticate' => qr/error="invalid_token"/);
  # the tenant's own bad_signature tweak (one bit flipped before encoding)
  $t->post_ok('/__control/tokens' => json => {which => 'access', bad_signature => \1})->status_is(201);
  $at = password_login($t, audience => $ps256, scope => 'openid')->res->json->{access_token};
  $t->get_ok('/userinfo' => {Authorization => "Bearer $at"})->status_is(401, 'bad signature: 401');

  # the algorithm follows the API the token names: a valid PS256 signature over an RS256 API's audience is
  # refused, and an RS256 one over the PS256 API's
  $t->post_ok('/__control/tokens' => json => {which => 'access', claims => {aud => ['https://api.example.com/', "$base/userinfo"]}})
    ->status_is(201);
  $at = password_login($t, audience => $ps256, scope => 'openid')->res->json->{access_token};
  is +(jwt_parts($at))[0]{alg}, 'PS256', 'a PS256 token naming the RS256 API';
  $t->get_ok('/userinfo' => {Authorization => "Bearer $at"})->status_is(401, '... is refused');
  $t->post_ok('/__control/tokens' => json => {which => 'access', claims => {aud => [$ps256, "$base/userinfo"]}})->status_is(201);
  $at = password_login($t, audience => 'https://api.example.com/', scope => 'openid')->res->json->{access_token};
  is +(jwt_parts($at))[0]{alg}, 'RS256', 'an RS256 token naming the PS256 API';
  $t->get_ok('/userinfo' => {Authorization => "Bearer $at"})->status_is(401, '... is refused');
  $at = password_login($t, audience => 'https://api.example.com/', scope => 'openid')->res->json->{access_token};
  $t->get_ok('/userinfo' => {Authorization => "Bearer $at"})->status_is(200, 'the RS256 API still: 200');
};

subtest '/v2/logout' => sub {
  $t->get_ok('/v2/logout?returnTo=https%3A%2F%2F127.0.0.1%3A8443%2F&client_id=demo-web-client')->status_is(302)
    ->header_is(Location => 'https://127.0.0.1:8443/');
  like $t->tx->res->headers->set_cookie, qr/auth0=;.*expires=Thu, 01 Jan 1970/i, 'SSO cookie cleared';
  $t->get_ok('/v2/logout?returnTo=https%3A%2F%2Fevil.example%2F&client_id=demo-web-client')->status_is(400)
    ->content_like(qr/Allowed Logout URLs/);
  $t->get_ok('/v2/logout?returnTo=https%3A%2F%2Fapp.example.com%2F')->status_is(302, 'tenant list without client_id');
  $t->get_ok('/v2/logout?returnTo=https%3A%2F%2F127.0.0.1%3A1234%2Flogged-out&client_id=demo-web-client&federated')
    ->status_is(302, 'wildcard port; federated accepted');
  $t->get_ok('/v2/logout?returnTo=https%3A%2F%2F127.0.0.1%3A1234%2Flogged-out')->status_is(400, 'not in the tenant list');
  $t->get_ok('/v2/logout?client_id=nope')->status_is(400);
  $t->get_ok('/v2/logout')->status_is(200)->content_like(qr/logged out/);
};

subtest '/oidc/logout' => sub {
  my $res = password_login($t, scope => 'openid')->res->json;
  my $url = Mojo::URL->new('/oidc/logout')->query(id_token_hint => $res->{id_token},
    post_logout_redirect_uri => 'https://127.0.0.1:8443/', state => 'bye');
  $t->get_ok($url)->status_is(302)->header_is(Location => 'https://127.0.0.1:8443/?state=bye');
  $t->post_ok('/oidc/logout' => form => {client_id => 'demo-web-client', post_logout_redirect_uri => 'https://127.0.0.1:8443/',
      logout_hint => 'some-sid'})->status_is(302);
  $t->get_ok(Mojo::URL->new('/oidc/logout')->query(post_logout_redirect_uri => 'https://127.0.0.1:8443/'))->status_is(400);
  $t->get_ok(Mojo::URL->new('/oidc/logout')->query(client_id => 'demo-web-client', post_logout_redirect_uri => 'https://evil.example/'))
    ->status_is(400);
  $t->get_ok(Mojo::URL->new('/oidc/logout')->query(id_token_hint => 'x.y.z'))->status_is(400);
  $t->get_ok(Mojo::URL->new('/oidc/logout')->query(id_token_hint => $res->{id_token}, client_id => 'hs256-client'))
    ->status_is(400, 'client_id must match the hint');
  $t->post_ok('/__control/settings' => json => {clock_offset => 40000});
  $t->get_ok(Mojo::URL->new('/oidc/logout')->query(id_token_hint => $res->{id_token}))->status_is(200, 'an expired hint is fine');
  $t->post_ok('/__control/settings' => json => {clock_offset => 0});

  $t->post_ok('/__control/tokens' => json => {which => 'id', bad_signature => \1});
  $res = password_login($t, scope => 'openid')->res->json;
  $t->get_ok(Mojo::URL->new('/oidc/logout')->query(id_token_hint => $res->{id_token}))->status_is(400, 'bad signature');

  my $hs = password_login($t, client_id => 'hs256-client', client_secret => 'hs256-client-secret-at-least-32-bytes-long',
    scope => 'openid')->res->json;
  $t->get_ok(Mojo::URL->new('/oidc/logout')->query(id_token_hint => $hs->{id_token},
    post_logout_redirect_uri => 'https://127.0.0.1:9/'))->status_is(302, 'HS256 hints');

  my $ps = password_login($t, client_id => 'ps256-client', client_secret => 'ps256-client-secret-at-least-32-bytes-long',
    scope => 'openid')->res->json;
  $t->get_ok(Mojo::URL->new('/oidc/logout')->query(id_token_hint => $ps->{id_token},
    post_logout_redirect_uri => 'https://127.0.0.1:9/'))->status_is(302, 'PS256 hints');
  $t->post_ok('/__control/tokens' => json => {which => 'id', bad_signature => \1});
  $ps = password_login($t, client_id => 'ps256-client', client_secret => 'ps256-client-secret-at-least-32-bytes-long',
    scope => 'openid')->res->json;
  $t->get_ok(Mojo::URL->new('/oidc/logout')->query(id_token_hint => $ps->{id_token}))->status_is(400, 'PS256 hint, bad signature')
    ->content_like(qr/Invalid id_token_hint: bad signature/);
  # pinned to the client's algorithm: an RS256 token is no hint of a PS256 client
  $t->post_ok('/__control/tokens' => json => {which => 'id', claims => {aud => 'ps256-client'}});
  my $rs = password_login($t, scope => 'openid')->res->json;
  $t->get_ok(Mojo::URL->new('/oidc/logout')->query(id_token_hint => $rs->{id_token}))->status_is(400, 'RS256 hint for a PS256 client')
    ->content_like(qr/Invalid id_token_hint: bad signature/);
};

done_testing;
