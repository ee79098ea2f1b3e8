package FakeTenant::Management::Organizations;

# /api/v2/organizations (+ /name/{name}), members and member roles.

use Mojo::Base 'FakeTenant::Management', -signatures;

my @FIELDS = qw(name display_name branding metadata);

sub routes ($class, $r) {
  my $c = 'Management::Organizations';
  $r->get('/organizations')->to("$c#list");
  $r->post('/organizations')->to("$c#create");
  $r->get('/organizations/name/<#name>')->to("$c#by_name");
  $r->get('/organizations/<#id>')->to("$c#show");
  $r->patch('/organizations/<#id>')->to("$c#update");
  $r->delete('/organizations/<#id>')->to("$c#remove");
  $r->get('/organizations/<#id>/members')->to("$c#members");
  $r->post('/organizations/<#id>/members')->to("$c#add_members");
  $r->delete('/organizations/<#id>/members')->to("$c#remove_members");
  $r->get('/organizations/<#id>/members/<#user_id>/roles')->to("$c#member_roles");
  $r->post('/organizations/<#id>/members/<#user_id>/roles')->to("$c#assign_member_roles");
  $r->delete('/organizations/<#id>/members/<#user_id>/roles')->to("$c#remove_member_roles");
}

sub view ($org) { return {id => $org->{id}, map { defined $org->{$_} ? ($_ => $org->{$_}) : () } @FIELDS} }

sub _org ($c) {
  return $c->dir->organization($c->param('id'))
    // $c->mgmt_error(404, 'No organization found by that id or name', 'inexistent_organization');
}

# Organization names: lower case letters, digits, "-" and "_", 1-50 characters.
sub _valid_name ($name) { defined $name && $name =~ /^[a-z0-9](?:[a-z0-9_-]{0,49})$/ }

sub list ($c) {
  $c->scope_ok('read:organizations') or return;
  return $c->render_list([map { view($_) } @{$c->dir->organizations}], 'organizations', sub ($o) { $o->{name} });
}

sub create ($c) {
  $c->scope_ok('create:organizations') or return;
  my $body = $c->json_body(@FIELDS, 'enabled_connections') or return;
  return $c->bad_body('Missing required property: name') unless defined $body->{name};
  return $c->bad_body('String does not match pattern ^[a-z0-9](?:[a-z0-9_-]{0,49})$ on property name')
    unless _valid_name($body->{name});
  return $c->mgmt_error(409, 'An organization with this name already exists.', 'organization_conflict')
    if $c->dir->organization_by_name($body->{name});
  my $org = $c->dir->add_organization({map { $_ => $body->{$_} } grep { defined $body->{$_} } @FIELDS});
  return $c->render(status => 201, json => view($org));
}

sub show ($c) {
  $c->scope_ok('read:organizations') or return;
  my $org = _org($c) or return;
  return $c->render(json => view($org));
}

sub by_name ($c) {
  $c->scope_ok('read:organizations') or return;
  my $org = $c->dir->organization_by_name($c->param('name'))
    or return $c->mgmt_error(404, 'No organization found by that id or name', 'inexistent_organization');
  return $c->render(json => view($org));
}

sub update ($c) {
  $c->scope_ok('update:organizations') or return;
  my $org  = _org($c) or return;
  my $body = $c->json_body(@FIELDS) or return;
  if (exists $body->{name}) {
    return $c->bad_body('String does not match pattern on property name') unless _valid_name($body->{name});
    my $other = $c->dir->organization_by_name($body->{name});
    return $c->mgmt_error(409, 'An organization with this name already exists.', 'organization_conflict')
      if $other && $other != $org;
  }
  for my $key (keys %$body) {
    if   (defined $body->{$key}) { $org->{$key} = $body->{$key} }
    else                         { delete $org->{$key} }
  }
  return $c->render(json => view($org));
}

sub remove ($c) {
  $c->scope_ok('delete:organizations') or return;
  $c->dir->delete_organization($c->param('id'));
  return $c->rendered(204);
}

sub members ($c) {
  $c->scope_ok('read:organization_members') or return;
  my $org  = _org($c) or return;
  my $dir  = $c->dir;
  my $with_roles = grep { $_ eq 'roles' } split /\s*,\s*/, $c->param('fields') // '';
  my @members = map {
    my $m = {user_id => $_->{user_id}, email => $_->{email}, picture => $_->{picture}, name => $_->{name}};
    $m->{roles} = [map { {id => $_->{id}, name => $_->{name}} } @{$dir->org_member_roles($org, $_->{user_id})}] if $with_roles;
    $m;
  } @{$dir->org_members($org)};
  return $c->render_list(\@members, 'members', sub ($m) { $m->{user_id} });
}

sub add_members ($c) {
  $c->scope_ok('create:organization_members') or return;
  my $org = _org($c)        or return;
  my $ids = $c->existing_ids('members', 'user') or return;
  $org->{members}{$_} //= {roles => {}} for @$ids;
  return $c->rendered(204);
}

sub remove_members ($c) {
  $c->scope_ok('delete:organization_members') or return;
  my $org = _org($c)        or return;
  my $ids = $c->existing_ids('members', 'user') or return;
  delete $org->{members}{$_} for @$ids;
  return $c->rendered(204);
}

# The member record of {user_id} in the organization, or undef once a 404 was rendered.
sub _member ($c, $org) {
  return $org->{members}{$c->param('user_id')}
    // $c->mgmt_error(404, 'The user is not a member of the organization.', 'inexistent_member');
}

sub member_roles ($c) {
  $c->scope_ok('read:organization_member_roles') or return;
  my $org = _org($c) or return;
  _member($c, $org) or return;
  return $c->render_offset([map { $c->role_view($_) } @{$c->dir->org_member_roles($org, $c->param('user_id'))}], 'roles');
}

sub assign_member_roles ($c) {
  $c->scope_ok('create:organization_member_roles') or return;
  my $org    = _org($c)             or return;
  my $member = _member($c, $org)    or return;
  my $ids    = $c->existing_ids('roles', 'role') or return;
  $member->{roles}{$_} = 1 for @$ids;
  return $c->rendered(204);
}

sub remove_member_roles ($c) {
  $c->scope_ok('delete:organization_member_roles') or return;
  my $org    = _org($c)             or return;
  my $member = _member($c, $org)    or return;
  my $ids    = $c->existing_ids('roles', 'role') or return;
  delete $member->{roles}{$_} for @$ids;
  return $c->rendered(204);
}

1;
