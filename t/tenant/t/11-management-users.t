use Mojo::Base -strict, -signatures;

use FindBin;
use lib "$FindBin::Bin/lib";

use Mojo::URL;
use Test::More;
use TenantTest qw(new_tenant base m2m_token);

my $t     = new_tenant();
my $base  = base($t);
my $token = m2m_token($t);
my %auth  = (Authorization => "Bearer $token");

sub api_get ($path, %query) {
  my $url = Mojo::URL->new("/api/v2/$path");
  $url->query(%query) if %query;    # query() without arguments is the getter
  return $t->get_ok($url => \%auth);
}

subtest 'authentication and scopes' => sub {
  $t->get_ok('/api/v2/users')->status_is(401)->json_is('/statusCode' => 401)->json_is('/error' => 'Unauthorized')
    ->json_is('/message' => 'Missing authentication');
  $t->get_ok('/api/v2/users' => {Authorization => 'Bearer x.y.z'})->status_is(401)->json_is('/message' => 'Invalid token');
  my $other = $t->ua->post('/oauth/token' => json => {grant_type => 'client_credentials', client_id => 'demo-m2m-client',
      client_secret => 'demo-m2m-secret', audience => 'https://api.example.com/'})->res->json->{access_token};
  $t->get_ok('/api/v2/users' => {Authorization => "Bearer $other"})->status_is(401)->json_like('/message' => qr/^Bad audience/);
  my $narrow = m2m_token($t, scope => 'read:roles');
  $t->get_ok('/api/v2/users' => {Authorization => "Bearer $narrow"})->status_is(403)->json_is('/errorCode' => 'insufficient_scope')
    ->json_is('/message' => 'Insufficient scope, expected any of: read:users');
  $t->post_ok('/__control/tokens' => json => {which => 'access', exp_offset => -90000});
  my $expired = m2m_token($t);
  $t->get_ok('/api/v2/users' => {Authorization => "Bearer $expired"})->status_is(401)
    ->json_is('/message' => 'Expired token received for JSON Web Token validation');
  $t->post_ok('/__control/tokens' => json => {which => 'access', alg => 'none'});
  my $none = m2m_token($t);
  $t->get_ok('/api/v2/users' => {Authorization => "Bearer $none"})->status_is(401, 'alg none refused');
};

subtest 'get, create, update, delete' => sub {
  api_get('users/auth0|a11ce0000000000000000001')->status_is(200)->json_is('/email' => 'alice@example.com')
    ->json_is('/identities/0/provider' => 'auth0')->json_is('/identities/0/connection' => 'Username-Password-Authentication')
    ->json_is('/app_metadata/plan' => 'gold')->json_hasnt('/password');
  api_get('users/auth0%7Ca11ce0000000000000000001', fields => 'email,user_id')->status_is(200)
    ->json_is('' => {email => 'alice@example.com', user_id => 'auth0|a11ce0000000000000000001'});
  api_get('users/auth0|nobody')->status_is(404)->json_is('' => {statusCode => 404, error => 'Not Found',
      message => 'The user does not exist.', errorCode => 'inexistent_user'});

  $t->post_ok('/api/v2/users' => \%auth => json => {email => 'Zed@Example.com', password => 'Zed-Passw0rd!',
      connection => 'Username-Password-Authentication', app_metadata => {tier => 1}})->status_is(201)
    ->json_is('/email' => 'zed@example.com')->json_like('/user_id' => qr/^auth0\|/)->json_has('/created_at');
  my $id = $t->tx->res->json->{user_id};
  $t->post_ok('/api/v2/users' => \%auth => json => {email => 'zed@example.com', password => 'Zed-Passw0rd!',
      connection => 'Username-Password-Authentication'})->status_is(409)->json_is('/message' => 'The user already exists.');
  $t->post_ok('/api/v2/users' => \%auth => json => {email => 'y@example.com', password => 'Zed-Passw0rd!'})->status_is(400)
    ->json_is('/errorCode' => 'invalid_body');
  $t->post_ok('/api/v2/users' => \%auth => json => {email => 'y@example.com', password => 'Zed-Passw0rd!',
      connection => 'nope'})->status_is(400);
  $t->post_ok('/api/v2/users' => \%auth => json => {email => 'y@example.com', password => 'weak',
      connection => 'Username-Password-Authentication'})->status_is(400);
  $t->post_ok('/api/v2/users' => \%auth => json => {email => 'y@example.com', password => 'Zed-Passw0rd!',
      connection => 'Username-Password-Authentication', color => 'red'})->status_is(400)
    ->json_like('/message' => qr/Additional properties not allowed: color/);
  $t->post_ok('/api/v2/users' => {%auth, 'Content-Type' => 'application/json'} => 'not json')->status_is(400);

  $t->patch_ok("/api/v2/users/$id" => \%auth => json => {app_metadata => {tier => undef, plan => 'x'}, name => 'Zed'})
    ->status_is(200)->json_is('/app_metadata' => {plan => 'x'})->json_is('/name' => 'Zed');
  $t->patch_ok('/api/v2/users/auth0|b10cced00000000000000004' => \%auth => json => {blocked => \0})->status_is(200)
    ->json_is('/blocked' => 0);
  $t->post_ok('/oauth/token' => json => {grant_type => 'password', client_id => 'demo-web-client',
      client_secret => 'demo-web-secret', username => 'blocked@example.com', password => 'Blocked-Passw0rd!'})
    ->status_is(200, 'unblocked user can log in');
  $t->patch_ok("/api/v2/users/$id" => \%auth => json => {})->status_is(400)->json_like('/message' => qr/Too few properties/);
  $t->patch_ok("/api/v2/users/$id" => \%auth => json => {user_id => 'x'})->status_is(400);
  $t->patch_ok("/api/v2/users/$id" => \%auth => json => {email => 'alice@example.com'})->status_is(409);
  $t->patch_ok('/api/v2/users/auth0|nobody' => \%auth => json => {name => 'x'})->status_is(404);

  $t->delete_ok("/api/v2/users/$id" => \%auth)->status_is(204)->content_is('');
  api_get("users/$id")->status_is(404);
};

subtest 'search, pagination, fields, sort' => sub {
  api_get('users')->status_is(200);
  is ref $t->tx->res->json, 'ARRAY', 'bare array without include_totals';
  is scalar @{$t->tx->res->json}, 5, 'five seeded users';

  api_get('users', q => 'email:"bob@example.com"', include_totals => 'true')->status_is(200)->json_is('/total' => 1)
    ->json_is('/users/0/email' => 'bob@example.com')->json_is('/start' => 0)->json_is('/limit' => 50)->json_is('/length' => 1);
  api_get('users', q => 'email:*example.com', include_totals => 'true')->json_is('/total' => 5);
  api_get('users', q => 'email:*LICE*')->json_is('/0/email' => 'alice@example.com');
  api_get('users', q => 'alice')->json_is('/0/user_id' => 'auth0|a11ce0000000000000000001');
  is scalar @{$t->tx->res->json}, 1, 'plain text finds one user';
  api_get('users', q => 'app_metadata.plan:gold');
  is scalar @{$t->tx->res->json}, 1, 'dotted path';
  api_get('users', q => 'email:alice@example.com OR email:bob@example.com');
  is scalar @{$t->tx->res->json}, 2, 'OR';
  api_get('users', q => 'email:*example.com AND NOT email_verified:false');
  is scalar @{$t->tx->res->json}, 4, 'NOT';
  api_get('users', q => '-email_verified:false');
  is scalar @{$t->tx->res->json}, 4, 'leading -';
  api_get('users', q => '_exists_:phone_number');
  is scalar @{$t->tx->res->json}, 1, '_exists_';
  api_get('users', q => 'email:"unterminated')->status_is(400);
  api_get('users', q => '(a OR b)')->status_is(400);

  api_get('users', sort => 'email:-1', fields => 'email', include_totals => 'true')->status_is(200)
    ->json_is('/users/0' => {email => 'mfa@example.com'});
  api_get('users', fields => 'email,user_id', include_fields => 'false')->json_hasnt('/0/email')->json_has('/0/name');
  api_get('users', sort => 'bad')->status_is(400);

  api_get('users', per_page => 2, page => 0, include_totals => 'true')->json_is('/length' => 2)->json_is('/total' => 5);
  api_get('users', per_page => 2, page => 2, include_totals => 'true')->json_is('/length' => 1, 'last page')
    ->json_is('/start' => 4);
  api_get('users', per_page => 2, page => 3, include_totals => 'true')->status_is(200)->json_is('/users' => [], 'empty page');
  api_get('users', per_page => 0)->status_is(400)->json_is('/errorCode' => 'invalid_query_string');
  api_get('users', per_page => 101)->status_is(400)->json_like('/message' => qr/greater than maximum 100/);
  api_get('users', per_page => 'ten')->status_is(400);
  api_get('users', page => -1)->status_is(400);
  api_get('users', per_page => 100, page => 10)->status_is(400)->json_is('/errorCode' => 'invalid_paging');
};

subtest 'roles and permissions of a user' => sub {
  my $bob = 'auth0|b0b000000000000000000002';
  api_get("users/$bob/roles", include_totals => 'true')->status_is(200)->json_is('/total' => 1)
    ->json_is('/roles/0/name' => 'reader');
  $t->post_ok("/api/v2/users/$bob/roles" => \%auth => json => {roles => ['rol_Admin00000000001']})->status_is(204);
  api_get("users/$bob/roles");
  is_deeply [sort map { $_->{name} } @{$t->tx->res->json}], ['admin', 'reader'], 'role assigned';
  api_get("users/$bob/permissions", include_totals => 'true')->status_is(200)->json_is('/total' => 2);
  $t->delete_ok("/api/v2/users/$bob/roles" => \%auth => json => {roles => ['rol_Admin00000000001']})->status_is(204);
  api_get("users/$bob/roles")->json_is('/0/name' => 'reader');
  is scalar @{$t->tx->res->json}, 1, 'role removed';
  $t->post_ok("/api/v2/users/$bob/roles" => \%auth => json => {roles => ['rol_nope']})->status_is(404);
  $t->post_ok("/api/v2/users/$bob/roles" => \%auth => json => {roles => []})->status_is(400);
  $t->post_ok("/api/v2/users/$bob/roles" => \%auth => json => {roles => 'rol_Admin00000000001'})->status_is(400);

  $t->post_ok("/api/v2/users/$bob/permissions" => \%auth => json =>
      {permissions => [{resource_server_identifier => 'https://api.example.com/', permission_name => 'write:messages'}]})
    ->status_is(201);
  api_get("users/$bob/permissions")->json_is('/0/permission_name' => 'write:messages')
    ->json_is('/0/sources/0/source_type' => 'DIRECT')->json_is('/1/sources/0/source_name' => 'reader')
    ->json_is('/0/resource_server_name' => 'Example API');
  $t->post_ok("/api/v2/users/$bob/permissions" => \%auth => json =>
      {permissions => [{resource_server_identifier => 'https://api.example.com/', permission_name => 'fly'}]})->status_is(400);
  $t->delete_ok("/api/v2/users/$bob/permissions" => \%auth => json =>
      {permissions => [{resource_server_identifier => 'https://api.example.com/', permission_name => 'write:messages'}]})
    ->status_is(204);
};

subtest 'users-by-email and bulk users' => sub {
  api_get('users-by-email', email => 'ALICE@example.com')->status_is(200)->json_is('/0/user_id' => 'auth0|a11ce0000000000000000001');
  api_get('users-by-email', email => 'nobody@example.com')->status_is(200)->json_is('' => []);
  api_get('users-by-email')->status_is(400);

  $t->post_ok('/__control/users/bulk' => json => {count => 10000, email_domain => 'bulk.example.com'})->status_is(201)
    ->json_is('/created' => 10000)->json_is('/total' => 10005);
  api_get('users', per_page => 100, page => 9, include_totals => 'true')->status_is(200)->json_is('/total' => 10005)
    ->json_is('/length' => 100);
  api_get('users', per_page => 100, page => 10)->status_is(400, 'the first 1000 only, as Auth0');
  $t->post_ok('/__control/settings' => json => {max_users_search_results => 0});
  api_get('users', per_page => 100, page => 100, include_totals => 'true')->status_is(200)->json_is('/length' => 5);
  api_get('users', q => 'email:bulk000042@bulk.example.com')->json_is('/0/user_id' => sprintf('auth0|b0000000%016x', 42));
  $t->post_ok('/__control/users/bulk' => json => {count => 0})->status_is(400);
};

done_testing;
