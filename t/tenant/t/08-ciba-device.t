use Mojo::Base -strict, -signatures;

use FindBin;
use lib "$FindBin::Bin/lib";

use Mojo::JSON qw(encode_json);
use Test::More;
use TenantTest qw(new_tenant base jwt_parts);

my $t    = new_tenant();
my $base = base($t);
my %web  = (client_id => 'demo-web-client', client_secret => 'demo-web-secret');
my $CIBA = 'urn:openid:params:grant-type:ciba';
my $DEV  = 'urn:ietf:params:oauth:grant-type:device_code';
my $hint = encode_json({format => 'iss_sub', iss => "$base/", sub => 'auth0|a11ce0000000000000000001'});

sub clock ($offset) { $t->post_ok('/__control/settings' => json => {clock_offset => $offset})->status_is(200) }

sub bc_authorize (%extra) {
  $t->post_ok('/bc-authorize' => form =>
      {%web, login_hint => $hint, scope => 'openid email', binding_message => 'Approve order 42', %extra});
}

subtest 'CIBA' => sub {
  bc_authorize()->status_is(200)->json_is('/expires_in' => 300)->json_is('/interval' => 5)->json_has('/auth_req_id');
  my $id = $t->tx->res->json->{auth_req_id};
  my %poll = (%web, grant_type => $CIBA, auth_req_id => $id);
  $t->post_ok('/oauth/token' => form => \%poll)->status_is(400)->json_is('/error' => 'authorization_pending');
  $t->post_ok('/oauth/token' => form => \%poll)->status_is(400)->json_is('/error' => 'slow_down')
    ->header_is('Retry-After' => 5);
  clock(10);
  $t->post_ok('/oauth/token' => form => \%poll)->status_is(400)->json_is('/error' => 'authorization_pending');
  $t->post_ok('/__control/ciba/approve' => json => {auth_req_id => $id})->status_is(200);
  clock(20);
  $t->post_ok('/oauth/token' => form => \%poll)->status_is(200)->json_has('/id_token');
  my (undef, $claims) = jwt_parts($t->tx->res->json->{id_token});
  is $claims->{sub}, 'auth0|a11ce0000000000000000001', 'the hinted user';
  $t->post_ok('/oauth/token' => form => \%poll)->status_is(400, 'exchanged once')->json_is('/error' => 'invalid_grant');
  clock(0);

  bc_authorize()->status_is(200);
  $id = $t->tx->res->json->{auth_req_id};
  $t->post_ok('/__control/ciba/approve' => json => {auth_req_id => $id, deny => \1})->status_is(200);
  $t->post_ok('/oauth/token' => form => {%web, grant_type => $CIBA, auth_req_id => $id})->status_is(400)
    ->json_is('/error' => 'access_denied');

  bc_authorize(requested_expiry => 60)->status_is(200)->json_is('/expires_in' => 60);
  $id = $t->tx->res->json->{auth_req_id};
  clock(61);
  $t->post_ok('/oauth/token' => form => {%web, grant_type => $CIBA, auth_req_id => $id})->status_is(400)
    ->json_is('/error' => 'expired_token');
  clock(0);

  bc_authorize(binding_message => undef)->status_is(400)->json_is('/error' => 'invalid_binding_message');
  bc_authorize(scope => 'email')->status_is(400);
  bc_authorize(login_hint => 'alice')->status_is(400);
  bc_authorize(login_hint => encode_json({format => 'iss_sub', iss => "$base/", sub => 'auth0|nobody'}))->status_is(400)
    ->json_is('/error' => 'unknown_user_id');
  bc_authorize(requested_expiry => 301)->status_is(400);
  bc_authorize(client_secret => 'bad')->status_is(401);
  $t->post_ok('/__control/ciba/approve' => json => {auth_req_id => 'nope'})->status_is(404);
};

subtest 'device flow' => sub {
  $t->post_ok('/oauth/device/code' => form => {client_id => 'public-client', scope => 'openid offline_access'})->status_is(200)
    ->json_like('/user_code' => qr/^[A-Z]{4}-[A-Z]{4}$/)->json_is('/verification_uri' => "$base/activate")
    ->json_is('/expires_in' => 900)->json_is('/interval' => 5);
  my $res = $t->tx->res->json;
  like $res->{verification_uri_complete}, qr/user_code=\Q$res->{user_code}\E/, 'verification_uri_complete';
  my %poll = (client_id => 'public-client', grant_type => $DEV, device_code => $res->{device_code});
  $t->post_ok('/oauth/token' => form => \%poll)->status_is(403)->json_is('/error' => 'authorization_pending');
  $t->post_ok('/oauth/token' => form => \%poll)->status_is(429)->json_is('/error' => 'slow_down');
  $t->post_ok('/__control/device/approve' => json => {user_code => $res->{user_code}, email => 'bob@example.com'})
    ->status_is(200);
  clock(6);
  $t->post_ok('/oauth/token' => form => \%poll)->status_is(200)->json_has('/refresh_token');
  clock(0);

  # The activation page.
  $t->post_ok('/oauth/device/code' => form => {client_id => 'demo-web-client', scope => 'openid'})->status_is(200);
  $res = $t->tx->res->json;
  $t->get_ok("/activate?user_code=$res->{user_code}")->status_is(200)->element_exists("input[value=$res->{user_code}]");
  $t->post_ok('/activate' => form => {user_code => $res->{user_code}, username => 'bob@example.com', password => 'bad'})
    ->status_is(400);
  $t->post_ok('/activate' => form => {user_code => $res->{user_code}, username => 'bob@example.com', password => 'Bob-Passw0rd!'})
    ->status_is(200)->content_like(qr/all set/);
  $t->post_ok('/oauth/token' => form => {client_id => 'demo-web-client', grant_type => $DEV, device_code => $res->{device_code}})
    ->status_is(200, 'a confidential client may poll without its secret');

  $t->post_ok('/oauth/device/code' => form => {client_id => 'public-client'})->status_is(200);
  $res = $t->tx->res->json;
  $t->post_ok('/__control/device/approve' => json => {user_code => $res->{user_code}, deny => \1})->status_is(200);
  $t->post_ok('/oauth/token' => form => {client_id => 'public-client', grant_type => $DEV, device_code => $res->{device_code}})
    ->status_is(403)->json_is('/error' => 'access_denied');

  $t->post_ok('/oauth/device/code' => form => {client_id => 'public-client'})->status_is(200);
  $res = $t->tx->res->json;
  clock(901);
  $t->post_ok('/oauth/token' => form => {client_id => 'public-client', grant_type => $DEV, device_code => $res->{device_code}})
    ->status_is(403)->json_is('/error' => 'expired_token');
  clock(0);

  $t->post_ok('/oauth/device/code' => form => {client_id => 'demo-m2m-client'})->status_is(403)
    ->json_is('/error' => 'unauthorized_client');
  $t->post_ok('/oauth/device/code' => form => {client_id => 'nope'})->status_is(401);
  $t->post_ok('/__control/settings' => json => {device_interval => 1});
  $t->post_ok('/oauth/device/code' => form => {client_id => 'public-client'})->json_is('/interval' => 1);
};

done_testing;
