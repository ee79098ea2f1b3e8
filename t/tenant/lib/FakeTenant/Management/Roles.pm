package FakeTenant::Management::Roles;

# /api/v2/roles, /api/v2/roles/{id}/users, /api/v2/roles/{id}/permissions.

use Mojo::Base 'FakeTenant::Management', -signatures;

sub routes ($class, $r) {
  my $c = 'Management::Roles';
  $r->get('/roles')->to("$c#list");
  $r->post('/roles')->to("$c#create");
  $r->get('/roles/<#id>')->to("$c#show");
  $r->patch('/roles/<#id>')->to("$c#update");
  $r->delete('/roles/<#id>')->to("$c#remove");
  $r->get('/roles/<#id>/users')->to("$c#users");
  $r->post('/roles/<#id>/users')->to("$c#assign_users");
  $r->get('/roles/<#id>/permissions')->to("$c#permissions");
  $r->post('/roles/<#id>/permissions')->to("$c#add_permissions");
  $r->delete('/roles/<#id>/permissions')->to("$c#remove_permissions");
}

sub _role ($c) {
  return $c->dir->role($c->param('id')) // $c->mgmt_error(404, 'The role does not exist.', 'inexistent_role');
}

sub list ($c) {
  $c->scope_ok('read:roles') or return;
  my @roles = @{$c->dir->roles};
  if (defined(my $filter = $c->param('name_filter'))) { @roles = grep { index(lc $_->{name}, lc $filter) >= 0 } @roles }
  return $c->render_offset([map { $c->role_view($_) } @roles], 'roles');
}

sub create ($c) {
  $c->scope_ok('create:roles') or return;
  my $body = $c->json_body(qw(name description)) or return;
  return $c->bad_body('Missing required property: name') unless defined $body->{name} && length $body->{name};
  return $c->mgmt_error(409, 'Role name already exists', 'role_already_exists') if $c->dir->role_by_name($body->{name});
  my $role = $c->dir->add_role({name => $body->{name}, description => $body->{description} // $body->{name}});
  return $c->render(json => $c->role_view($role));
}

sub show ($c) {
  $c->scope_ok('read:roles') or return;
  my $role = _role($c) or return;
  return $c->render(json => $c->role_view($role));
}

sub update ($c) {
  $c->scope_ok('update:roles') or return;
  my $role = _role($c) or return;
  my $body = $c->json_body(qw(name description)) or return;
  return $c->bad_body('Too few properties defined (0), minimum 1') unless keys %$body;
  if (defined $body->{name}) {
    my $other = $c->dir->role_by_name($body->{name});
    return $c->mgmt_error(409, 'Role name already exists', 'role_already_exists') if $other && $other != $role;
  }
  $role->{$_} = $body->{$_} for keys %$body;
  return $c->render(json => $c->role_view($role));
}

sub remove ($c) {
  $c->scope_ok('delete:roles') or return;
  my $role = _role($c) or return;
  $c->dir->delete_role($role->{id});
  return $c->rendered(200);
}

sub users ($c) {
  $c->scope_ok('read:users', 'read:roles', 'read:role_members') or return;
  my $role = _role($c) or return;
  my @users = map { {user_id => $_->{user_id}, email => $_->{email}, picture => $_->{picture}, name => $_->{name}} }
    @{$c->dir->role_users($role->{id})};
  return $c->render_list(\@users, 'users', sub ($u) { $u->{user_id} });
}

sub assign_users ($c) {
  $c->scope_ok('update:roles', 'create:role_members') or return;
  my $role = _role($c) or return;
  my $ids  = $c->existing_ids('users', 'user') or return;
  $c->dir->assign_roles($_, [$role->{id}]) for @$ids;
  return $c->rendered(200);
}

sub permissions ($c) {
  $c->scope_ok('read:roles') or return;
  my $role = _role($c) or return;
  return $c->render_offset($c->permission_views($role->{permissions}), 'permissions');
}


sub add_permissions ($c) {
  $c->scope_ok('update:roles') or return;
  my $role  = _role($c)            or return;
  my $perms = $c->permission_list  or return;
  $c->dir->add_permissions($role->{permissions}, $perms);
  return $c->rendered(201);
}

sub remove_permissions ($c) {
  $c->scope_ok('update:roles') or return;
  my $role  = _role($c)            or return;
  my $perms = $c->permission_list  or return;
  $c->dir->remove_permissions($role->{permissions}, $perms);
  return $c->rendered(200);
}

1;
