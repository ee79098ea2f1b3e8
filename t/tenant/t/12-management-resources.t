use Mojo::Base -strict, -signatures;

use FindBin;
use lib "$FindBin::Bin/lib";

use Mojo::URL;
use Test::More;
use TenantTest qw(new_tenant base m2m_token);

my $t    = new_tenant();
my $base = base($t);
my %auth = (Authorization => 'Bearer ' . m2m_token($t));

sub api_get ($path, %query) {
  my $url = Mojo::URL->new("/api/v2/$path");
  $url->query(%query) if %query;
  return $t->get_ok($url => \%auth);
}

subtest roles => sub {
  api_get('roles', include_totals => 'true')->status_is(200)->json_is('/total' => 2)->json_is('/roles/0/name' => 'admin');
  api_get('roles', name_filter => 'READ')->json_is('/0/id' => 'rol_Reader0000000001');
  $t->post_ok('/api/v2/roles' => \%auth => json => {name => 'editor', description => 'Edits'})->status_is(200)
    ->json_like('/id' => qr/^rol_/);
  my $id = $t->tx->res->json->{id};
  $t->post_ok('/api/v2/roles' => \%auth => json => {name => 'editor'})->status_is(409);
  $t->post_ok('/api/v2/roles' => \%auth => json => {description => 'x'})->status_is(400);
  $t->patch_ok("/api/v2/roles/$id" => \%auth => json => {description => 'Writes'})->status_is(200)
    ->json_is('/description' => 'Writes');
  api_get("roles/$id")->status_is(200)->json_is('/name' => 'editor');
  api_get('roles/rol_nope')->status_is(404)->json_is('/errorCode' => 'inexistent_role');

  $t->post_ok("/api/v2/roles/$id/permissions" => \%auth => json =>
      {permissions => [{resource_server_identifier => 'https://api.example.com/', permission_name => 'write:messages'}]})
    ->status_is(201);
  api_get("roles/$id/permissions", include_totals => 'true')->json_is('/total' => 1)
    ->json_is('/permissions/0/description' => 'Write messages');
  $t->delete_ok("/api/v2/roles/$id/permissions" => \%auth => json =>
      {permissions => [{resource_server_identifier => 'https://api.example.com/', permission_name => 'write:messages'}]})
    ->status_is(200);
  api_get("roles/$id/permissions")->json_is('' => []);

  my @users = ('auth0|a11ce0000000000000000001', 'auth0|b0b000000000000000000002', 'auth0|ca4010000000000000000005');
  $t->post_ok("/api/v2/roles/$id/users" => \%auth => json => {users => \@users})->status_is(200);
  $t->post_ok("/api/v2/roles/$id/users" => \%auth => json => {users => ['auth0|nobody']})->status_is(404);

  # Checkpoint pagination: take 2, follow next, the last page has no next.
  api_get("roles/$id/users", take => 2)->status_is(200)->json_is('/users/0/user_id' => $users[0])->json_has('/next');
  my $next = $t->tx->res->json->{next};
  api_get("roles/$id/users", from => $next, take => 2)->json_is('/users/0/user_id' => $users[2])->json_hasnt('/next');
  is scalar @{$t->tx->res->json->{users}}, 1, 'last page';
  $t->get_ok("/api/v2/roles/$id/users?from&take=50" => \%auth)->status_is(200, 'bare from is the first page');
  is scalar @{$t->tx->res->json->{users}}, 3, 'all users';
  api_get("roles/$id/users", from => '!!!')->status_is(400);
  api_get("roles/$id/users", take => 101)->status_is(400);
  api_get("roles/$id/users", per_page => 2, page => 1, include_totals => 'true')->json_is('/total' => 3)
    ->json_is('/users/0/user_id' => $users[2], 'offset pagination too');

  # A deletion between pages neither skips nor repeats.
  api_get("roles/$id/users", take => 1);
  $next = $t->tx->res->json->{next};
  $t->delete_ok("/api/v2/users/$users[0]" => \%auth)->status_is(204);
  api_get("roles/$id/users", from => $next, take => 1)->json_is('/users/0/user_id' => $users[1]);

  $t->delete_ok("/api/v2/roles/$id" => \%auth)->status_is(200);
  api_get("roles/$id")->status_is(404);
};

subtest organizations => sub {
  api_get('organizations')->status_is(200)->json_is('/0/id' => 'org_acme123');
  api_get('organizations', take => 1)->json_is('/organizations/0/name' => 'acme')->json_has('/next');
  api_get('organizations', from => $t->tx->res->json->{next}, take => 1)->json_is('/organizations/0/name' => 'globex')
    ->json_hasnt('/next');
  api_get('organizations', include_totals => 'true', per_page => 1)->json_is('/total' => 2)->json_is('/limit' => 1);
  api_get('organizations/name/acme')->status_is(200)->json_is('/id' => 'org_acme123')->json_is('/display_name' => 'Acme Corp');
  api_get('organizations/org_nope')->status_is(404);
  api_get('organizations/name/nope')->status_is(404);

  $t->post_ok('/api/v2/organizations' => \%auth => json => {name => 'initech', display_name => 'Initech'})->status_is(201)
    ->json_like('/id' => qr/^org_/);
  my $id = $t->tx->res->json->{id};
  $t->post_ok('/api/v2/organizations' => \%auth => json => {name => 'initech'})->status_is(409);
  $t->post_ok('/api/v2/organizations' => \%auth => json => {name => 'Bad Name'})->status_is(400);
  $t->patch_ok("/api/v2/organizations/$id" => \%auth => json => {display_name => 'Initech LLC', metadata => {a => 'b'}})
    ->status_is(200)->json_is('/display_name' => 'Initech LLC');

  my @members = map { sprintf 'auth0|b0000000%016x', $_ } 1 .. 5;
  $t->post_ok('/__control/users/bulk' => json => {count => 5});
  $t->post_ok("/api/v2/organizations/$id/members" => \%auth => json => {members => \@members})->status_is(204);
  api_get("organizations/$id/members", take => 2)->json_is('/members/0/user_id' => $members[0])->json_has('/next');
  my (@seen, $from);
  while (1) {
    api_get("organizations/$id/members", take => 2, defined $from ? (from => $from) : ());
    push @seen, map { $_->{user_id} } @{$t->tx->res->json->{members}};
    $from = $t->tx->res->json->{next} // last;
  }
  is_deeply \@seen, \@members, 'walking the cursor gives every member once';
  api_get("organizations/$id/members", include_totals => 'true', per_page => 2, page => 2)->json_is('/total' => 5)
    ->json_is('/members/0/user_id' => $members[4]);
  $t->delete_ok("/api/v2/organizations/$id/members" => \%auth => json => {members => [$members[0]]})->status_is(204);
  api_get("organizations/$id/members", include_totals => 'true')->json_is('/total' => 4);

  $t->post_ok("/api/v2/organizations/$id/members/$members[1]/roles" => \%auth => json => {roles => ['rol_Reader0000000001']})
    ->status_is(204);
  api_get("organizations/$id/members/$members[1]/roles", include_totals => 'true')->json_is('/total' => 1)
    ->json_is('/roles/0/name' => 'reader');
  api_get("organizations/$id/members", fields => 'user_id,roles')->json_is('/0/roles/0/name' => 'reader');
  $t->delete_ok("/api/v2/organizations/$id/members/$members[1]/roles" => \%auth => json => {roles => ['rol_Reader0000000001']})
    ->status_is(204);
  api_get("organizations/$id/members/$members[0]/roles")->status_is(404, 'not a member any more');

  $t->delete_ok("/api/v2/organizations/$id" => \%auth)->status_is(204);
  api_get("organizations/$id")->status_is(404);
};

subtest 'clients and connections' => sub {
  api_get('clients', include_totals => 'true')->status_is(200)->json_is('/total' => 6);
  api_get('clients/demo-web-client')->status_is(200)->json_is('/client_secret' => 'demo-web-secret', 'read:client_keys shows it');
  my %narrow = (Authorization => 'Bearer ' . m2m_token($t, scope => 'read:clients'));
  $t->get_ok('/api/v2/clients/demo-web-client' => \%narrow)->status_is(200)->json_hasnt('/client_secret');
  $t->get_ok('/api/v2/clients' => \%narrow)->json_hasnt('/0/client_secret');
  api_get('clients/jwt-client')->json_is('/client_authentication_methods/private_key_jwt/credentials/0/id' => 'cred_ClientRs256Key01')
    ->json_hasnt('/client_authentication_methods/private_key_jwt/credentials/0/key');
  api_get('clients', app_type => 'spa')->json_is('/0/client_id' => 'public-client');
  api_get('clients/nope')->status_is(404);

  $t->post_ok('/api/v2/clients' => \%auth => json => {name => 'new-app', callbacks => ['https://127.0.0.1:*/cb']})->status_is(201)
    ->json_has('/client_secret')->json_is('/app_type' => 'regular_web');
  my $id = $t->tx->res->json->{client_id};
  $t->patch_ok("/api/v2/clients/$id" => \%auth => json => {callbacks => ['https://127.0.0.1:*/other']})->status_is(200)
    ->json_is('/callbacks/0' => 'https://127.0.0.1:*/other');
  $t->patch_ok("/api/v2/clients/$id" => \%auth => json => {client_id => 'x'})->status_is(400);
  $t->delete_ok("/api/v2/clients/$id" => \%auth)->status_is(204);
  api_get("clients/$id")->status_is(404);

  api_get('connections')->status_is(200);
  is scalar @{$t->tx->res->json}, 3, 'three connections';
  api_get('connections', strategy => 'auth0')->json_is('/0/name' => 'Username-Password-Authentication');
  api_get('connections', take => 2)->json_has('/next');
  api_get('connections/con_UsernamePwdAuth01')->status_is(200)->json_is('/strategy' => 'auth0');
  api_get('connections/con_nope')->status_is(404);
};

subtest 'counters use path templates' => sub {
  $t->delete_ok('/__control/counters')->status_is(204);
  api_get('users/auth0|b0b000000000000000000002');
  api_get('users/auth0|ca4010000000000000000005');
  api_get('organizations/org_acme123/members/auth0|a11ce0000000000000000001/roles');
  $t->get_ok('/__control/counters')->json_is('/GET ~1api~1v2~1users~1{id}' => 2)
    ->json_is('/GET ~1api~1v2~1organizations~1{id}~1members~1{user_id}~1roles' => 1);
};

done_testing;
