package FakeTenant::Management::Users;

# /api/v2/users, /api/v2/users/{id}/roles, /api/v2/users/{id}/permissions
# and /api/v2/users-by-email.

use Mojo::Base 'FakeTenant::Management', -signatures;

use FakeTenant::DBConnections qw(password_policy_error);
use FakeTenant::UserSearch qw(compile_query);

my @PROFILE = qw(email phone_number user_metadata app_metadata blocked email_verified phone_verified given_name family_name
  name nickname picture username password verify_email);
my @CREATE  = (@PROFILE, qw(user_id connection verify_phone_number));
my @UPDATE  = (@PROFILE, qw(connection client_id verify_password));

sub routes ($class, $r) {
  my $c = 'Management::Users';
  $r->get('/users')->to("$c#list");
  $r->post('/users')->to("$c#create");
  $r->get('/users/<#id>')->to("$c#show");
  $r->patch('/users/<#id>')->to("$c#update");
  $r->delete('/users/<#id>')->to("$c#remove");
  $r->get('/users/<#id>/roles')->to("$c#roles");
  $r->post('/users/<#id>/roles')->to("$c#assign_roles");
  $r->delete('/users/<#id>/roles')->to("$c#remove_roles");
  $r->get('/users/<#id>/permissions')->to("$c#permissions");
  $r->post('/users/<#id>/permissions')->to("$c#add_permissions");
  $r->delete('/users/<#id>/permissions')->to("$c#remove_permissions");
  $r->get('/users-by-email')->to("$c#by_email");
}

sub _user ($c) {
  return $c->dir->user($c->param('id')) // $c->mgmt_error(404, 'The user does not exist.', 'inexistent_user');
}

sub list ($c) {
  $c->scope_ok('read:users') or return;
  # Views are built for the page only, unless searching or sorting needs them all.
  my $all   = defined $c->param('q') || defined $c->param('sort') || defined $c->param('connection');
  my @users = $all ? map { $c->user_view($_) } @{$c->dir->users} : @{$c->dir->users};
  if (defined(my $q = $c->param('q'))) {
    my ($matches, $error) = compile_query($q);
    return $c->mgmt_error(400, "Invalid query: $error", 'invalid_query') unless $matches;
    @users = grep { $matches->($_) } @users;
  }
  if (defined(my $conn = $c->param('connection'))) { @users = grep { $_->{identities}[0]{connection} eq $conn } @users }
  if (defined(my $sort = $c->param('sort'))) {
    my ($field, $dir) = $sort =~ /^([\w.]+):(-?1)$/ or return $c->bad_query("'Invalid sort: $sort' on property sort.");
    @users = sort { ($a->{$field} // '') cmp($b->{$field} // '') } @users;
    @users = reverse @users if $dir eq '-1';
  }
  # Auth0 serves at most the first 1000 results of a search.
  my $max = $c->tenant->setting('max_users_search_results');
  my ($page, $per) = $c->offset_params or return;
  return $c->mgmt_error(400, "You can only page through the first $max records. See "
      . 'https://auth0.com/docs/users/search/v3/view-search-results-by-page#limitation', 'invalid_paging')
    if $max && ($page + 1) * $per > $max;
  return $c->render_offset(\@users, 'users', length => 1, $all ? () : (view => sub ($u) { $c->user_view($u) }));
}

sub show ($c) {
  $c->scope_ok('read:users') or return;
  my $user = _user($c) or return;
  return $c->render(json => $c->select_fields($c->user_view($user)));
}

sub create ($c) {
  $c->scope_ok('create:users') or return;
  my $body = $c->json_body(@CREATE) or return;
  my $dir  = $c->dir;
  return $c->bad_body('Missing required property: connection') unless defined $body->{connection};
  my $conn = $dir->connection($body->{connection})
    or return $c->mgmt_error(400, 'The connection does not exist.', 'inexistent_connection');
  if ($conn->{strategy} eq 'auth0') {
    return $c->mgmt_error(400, 'Payload validation error: \'Missing required property: email\'.', 'invalid_body')
      unless defined $body->{email};
    return $c->mgmt_error(400, 'Payload validation error: \'Missing required property: password\'.', 'invalid_body')
      unless defined $body->{password};
  }
  return _weak_password($c) if defined $body->{password} && password_policy_error($body->{password});
  return $c->mgmt_error(409, 'The user already exists.', 'auth0_idp_error')
    if (defined $body->{email} && $dir->user_by_email($body->{email}, $conn->{name}))
    || (defined $body->{user_id} && $dir->user(($body->{user_id} =~ /\|/ ? '' : "$conn->{strategy}|") . $body->{user_id}));
  my %fields = %$body;
  delete @fields{qw(verify_email verify_phone_number)};
  $fields{email} = lc $fields{email} if defined $fields{email};
  my $user = $dir->add_user({%fields, connection => $conn->{name}});
  return $c->render(status => 201, json => $c->user_view($user));
}

sub update ($c) {
  $c->scope_ok('update:users', 'update:users_app_metadata') or return;
  my $user = _user($c) or return;
  my $body = $c->json_body(@UPDATE) or return;
  return $c->bad_body('Too few properties defined (0), minimum 1') unless keys %$body;
  return $c->bad_body('Expected type object on property app_metadata')
    if grep { exists $body->{$_} && defined $body->{$_} && ref $body->{$_} ne 'HASH' } qw(app_metadata user_metadata);
  return _weak_password($c) if defined $body->{password} && password_policy_error($body->{password});
  if (defined $body->{email}) {
    my $other = $c->dir->user_by_email($body->{email}, $user->{connection});
    return $c->mgmt_error(409, 'The specified new email already exists', 'email_conflict') if $other && $other != $user;
  }
  my %changes = %$body;
  delete @changes{qw(connection client_id verify_email verify_password)};
  $changes{email} = lc $changes{email} if defined $changes{email};
  $c->dir->update_user($user, \%changes);
  return $c->render(json => $c->user_view($user));
}

sub remove ($c) {
  $c->scope_ok('delete:users') or return;
  $c->dir->delete_user($c->param('id'));
  return $c->rendered(204);
}

sub roles ($c) {
  $c->scope_ok('read:users', 'read:roles') or return;
  my $user = _user($c) or return;
  return $c->render_offset([map { $c->role_view($_) } @{$c->dir->user_roles($user->{user_id})}], 'roles');
}

sub assign_roles ($c) {
  $c->scope_ok('update:users', 'create:role_members') or return;
  my $user = _user($c)     or return;
  my $ids  = $c->existing_ids('roles', 'role') or return;
  $c->dir->assign_roles($user->{user_id}, $ids);
  return $c->rendered(204);
}

sub remove_roles ($c) {
  $c->scope_ok('update:users', 'delete:role_members') or return;
  my $user = _user($c)     or return;
  my $ids  = $c->existing_ids('roles', 'role') or return;
  $c->dir->remove_roles($user->{user_id}, $ids);
  return $c->rendered(204);
}

sub permissions ($c) {
  $c->scope_ok('read:users') or return;
  my $user = _user($c) or return;
  return $c->render_offset($c->permission_views($c->dir->user_permission_sources($user->{user_id})), 'permissions');
}

sub add_permissions ($c) {
  $c->scope_ok('update:users') or return;
  my $user  = _user($c)            or return;
  my $perms = $c->permission_list  or return;
  $c->dir->add_permissions($c->dir->user_direct_permissions($user->{user_id}), $perms);
  return $c->rendered(201);
}

sub remove_permissions ($c) {
  $c->scope_ok('update:users') or return;
  my $user  = _user($c)            or return;
  my $perms = $c->permission_list  or return;
  $c->dir->remove_permissions($c->dir->user_direct_permissions($user->{user_id}), $perms);
  return $c->rendered(204);
}

sub by_email ($c) {
  $c->scope_ok('read:users') or return;
  my $email = $c->param('email');
  return $c->bad_query("'Missing required property: email' on property email.") unless defined $email && length $email;
  return $c->render(json => [map { $c->select_fields($c->user_view($_)) } @{$c->dir->users_by_email($email)}]);
}

sub _weak_password ($c) {
  return $c->mgmt_error(400, 'PasswordStrengthError: Password is too weak', 'invalid_body');
}

1;
