package FakeTenant::Directory;

# The tenant's durable data: connections, APIs (resource servers), clients and
# their grants, roles, users and organizations.  Loaded from seed.json and
# changed through the Management API; shared by every endpoint.

use Mojo::Base -base, -signatures;

use Crypt::PK::ECC;
use Crypt::PK::RSA;
use Crypt::PRNG qw(random_bytes);
use FakeTenant::Util qw(iso_time random_id);
use Mojo::File qw(path);
use Storable qw(dclone);

has clock => sub { sub { time } };
has 'state_dir';

# Provider names Auth0 shows in identities[] for each connection strategy.
my %PROVIDER = (auth0 => 'auth0', email => 'email', sms => 'sms');

sub load ($self, $seed) {
  $seed = dclone($seed);
  %$self = (clock => $self->clock, state_dir => $self->state_dir);
  $self->{tenant}                  = $seed->{tenant} // {};
  $self->{connections}             = $seed->{connections} // [];
  $self->{apis}                    = $seed->{resource_servers} // [];
  $self->{client_grants}           = $seed->{client_grants} // [];
  $self->{token_exchange_profiles} = $seed->{token_exchange_profiles} // [];
  $self->add_client($_) for @{$seed->{clients} // []};
  $self->add_role($_)   for @{$seed->{roles} // []};
  $self->{demo_logins} = [map { $self->_demo_login($_) } grep { defined $_->{password} } @{$seed->{users} // []}];
  for my $u (@{$seed->{users} // []}) {
    my $roles = delete $u->{roles} // [];
    my $user  = $self->add_user($u);
    $self->assign_roles($user->{user_id}, $roles);
  }
  $self->add_organization($_) for @{$seed->{organizations} // []};
  return $self;
}

sub tenant ($self) { $self->{tenant} }

sub _demo_login ($self, $u) {
  my @roles = map { $self->role($_) ? $self->role($_)->{name} : $_ } @{$u->{roles} // []};
  my @notes = (
    @roles ? 'roles: ' . join(', ', @roles) : (),
    $u->{blocked}                                     ? 'blocked'               : (),
    $u->{mfa}                                         ? 'MFA (TOTP, SMS)'       : (),
    exists $u->{email_verified} && !$u->{email_verified} ? 'email not verified' : (),
  );
  return {email => $u->{email}, password => $u->{password}, notes => join('; ', @notes)};
}

# ---- connections -----------------------------------------------------------

sub connections ($self) { $self->{connections} }

sub connection ($self, $name) { (grep { $_->{name} eq $name } @{$self->{connections}})[0] }

sub connection_by_id ($self, $id) { (grep { $_->{id} eq $id } @{$self->{connections}})[0] }

# The connection if it exists and the client may use it.
sub client_connection ($self, $client, $name) {
  my $conn = $self->connection($name // '') or return undef;
  return (grep { $_ eq $client->{client_id} } @{$conn->{enabled_clients}}) ? $conn : undef;
}

# ---- APIs and client grants ------------------------------------------------

sub apis ($self) { $self->{apis} }

sub api ($self, $identifier) {
  return undef unless defined $identifier;
  return (grep { $_->{identifier} eq $identifier } @{$self->{apis}})[0];
}

sub api_scopes ($self, $api) { [map { $_->{value} } @{$api->{scopes} // []}] }

sub client_grant ($self, $client_id, $audience) {
  return (grep { $_->{client_id} eq $client_id && $_->{audience} eq $audience } @{$self->{client_grants}})[0];
}

sub token_exchange_profile ($self, $type) {
  return (grep { $_->{subject_token_type} eq $type } @{$self->{token_exchange_profiles}})[0];
}

# ---- clients ---------------------------------------------------------------

sub client ($self, $id) { defined $id ? $self->{clients}{$id} : undef }

sub clients ($self) { [map { $self->{clients}{$_} } @{$self->{client_order}}] }

sub add_client ($self, $client) {
  $client->{client_id} //= random_id('', 32);
  for my $cred (@{$client->{client_authentication_methods}{private_key_jwt}{credentials} // []}) {
    $cred->{key} = $self->_load_public_key($cred);
  }
  push @{$self->{client_order}}, $client->{client_id} unless $self->{clients}{$client->{client_id}};
  return $self->{clients}{$client->{client_id}} = $client;
}

sub delete_client ($self, $id) {
  delete $self->{clients}{$id} or return 0;
  $self->{client_order}  = [grep { $_ ne $id } @{$self->{client_order}}];
  $self->{client_grants} = [grep { $_->{client_id} ne $id } @{$self->{client_grants}}];
  return 1;
}

# Public keys registered for private_key_jwt live in the state directory
# (made by make-ca); a missing file leaves the credential unusable rather
# than failing the whole tenant, so in-process tests without keys still run.
sub _load_public_key ($self, $cred) {
  my $pem = $cred->{pem};
  if (!defined $pem && $cred->{pem_file} && $self->state_dir) {
    my $file = path($self->state_dir, $cred->{pem_file});
    $pem = $file->slurp if -r $file;
  }
  return undef unless defined $pem;
  my $class = ($cred->{alg} // 'RS256') =~ /^ES/ ? 'Crypt::PK::ECC' : 'Crypt::PK::RSA';
  return $class->new(\$pem);
}

sub client_has_grant ($self, $client, $grant) { !!grep { $_ eq $grant } @{$client->{grant_types} // []} }

sub client_is_public ($self, $client) { ($client->{token_endpoint_auth_method} // '') eq 'none' }

# ---- roles and permissions -------------------------------------------------

sub role ($self, $id) { defined $id ? $self->{roles}{$id} : undef }

sub role_by_name ($self, $name) { (grep { $_->{name} eq $name } @{$self->roles})[0] }

sub roles ($self) { [map { $self->{roles}{$_} } @{$self->{role_order}}] }

sub add_role ($self, $role) {
  $role->{id} //= random_id('rol_');
  $role->{permissions} //= [];
  push @{$self->{role_order}}, $role->{id};
  return $self->{roles}{$role->{id}} = $role;
}

sub delete_role ($self, $id) {
  delete $self->{roles}{$id} or return 0;
  $self->{role_order} = [grep { $_ ne $id } @{$self->{role_order}}];
  delete $_->{$id} for values %{$self->{user_roles}};
  for my $org (values %{$self->{orgs}}) { delete $_->{roles}{$id} for values %{$org->{members}} }
  return 1;
}

sub role_users ($self, $rid) {
  return [sort { $a->{user_id} cmp $b->{user_id} }
      map { $self->{users}{$_} } grep { $self->{user_roles}{$_}{$rid} } keys %{$self->{user_roles}}];
}

sub user_roles ($self, $uid) {
  my $assigned = $self->{user_roles}{$uid} // {};
  return [grep { $assigned->{$_->{id}} } @{$self->roles}];
}

sub assign_roles ($self, $uid, $rids) { $self->{user_roles}{$uid}{$_} = 1 for @$rids }

sub remove_roles ($self, $uid, $rids) { delete $self->{user_roles}{$uid}{$_} for @$rids }

sub _perm_key ($p) { "$p->{resource_server_identifier}\0$p->{permission_name}" }

# Adds permissions to a list (role or user), skipping duplicates.
sub add_permissions ($self, $list, $perms) {
  my %have = map { _perm_key($_) => 1 } @$list;
  for my $p (@$perms) {
    push @$list, {resource_server_identifier => $p->{resource_server_identifier}, permission_name => $p->{permission_name}}
      unless $have{_perm_key($p)}++;
  }
}

sub remove_permissions ($self, $list, $perms) {
  my %drop = map { _perm_key($_) => 1 } @$perms;
  @$list = grep { !$drop{_perm_key($_)} } @$list;
}

# Does the API define every permission in the list?
sub permissions_exist ($self, $perms) {
  for my $p (@$perms) {
    my $api = $self->api($p->{resource_server_identifier}) or return 0;
    return 0 unless grep { $_ eq ($p->{permission_name} // '') } @{$self->api_scopes($api)};
  }
  return 1;
}

sub user_direct_permissions ($self, $uid) { $self->{user_perms}{$uid} //= [] }

# Every permission of a user with where it comes from (Auth0's "sources"):
# direct grants, tenant roles and, when an organization applies, the roles
# the user holds in it.
sub user_permission_sources ($self, $uid, $org_id = undef) {
  my (%by_key, @order);
  my $add = sub ($perm, $source) {
    my $key = _perm_key($perm);
    push @order, $key unless $by_key{$key};
    $by_key{$key} //= {%$perm, sources => []};
    push @{$by_key{$key}{sources}}, $source;
  };
  $add->($_, {source_id => '', source_name => '', source_type => 'DIRECT'}) for @{$self->user_direct_permissions($uid)};
  my @roles = @{$self->user_roles($uid)};
  if (defined $org_id and my $org = $self->organization($org_id)) {
    my $member = $org->{members}{$uid};
    push @roles, map { $self->role($_) // () } sort keys %{$member ? $member->{roles} : {}};
  }
  for my $role (@roles) {
    $add->($_, {source_id => $role->{id}, source_name => $role->{name}, source_type => 'ROLE'}) for @{$role->{permissions}};
  }
  return [map { $by_key{$_} } @order];
}

sub user_permissions ($self, $uid, $api_identifier, $org_id = undef) {
  return [map { $_->{permission_name} }
      grep { $_->{resource_server_identifier} eq $api_identifier } @{$self->user_permission_sources($uid, $org_id)}];
}

# ---- users -----------------------------------------------------------------

sub user ($self, $id) { defined $id ? $self->{users}{$id} : undef }

sub users ($self) { [map { $self->{users}{$_} } @{$self->{user_order}}] }

sub user_count ($self) { scalar @{$self->{user_order}} }

sub users_by_email ($self, $email) {
  my $ids = $self->{email_index}{lc($email // '')} // {};
  return [map { $self->{users}{$ids->{$_}} } sort keys %$ids];
}

sub user_by_email ($self, $email, $connection) {
  my $id = $self->{email_index}{lc($email // '')}{$connection};
  return defined $id ? $self->{users}{$id} : undef;
}

sub user_by_phone ($self, $phone, $connection) {
  return (grep { ($_->{phone_number} // '') eq $phone && $_->{connection} eq $connection } @{$self->users})[0];
}

# Database login: the identifier may be the email or the username.
sub user_by_login ($self, $login, $connection) {
  return $self->user_by_email($login, $connection)
    // (grep { lc($_->{username} // '') eq lc $login && $_->{connection} eq $connection } @{$self->users})[0];
}

sub is_blocked ($self, $user) {
  my $blocked = $user->{blocked};
  return ref $blocked ? !!$$blocked : !!$blocked;
}

# Seeded users and their passwords, for the login page and the README.
sub demo_logins ($self) { $self->{demo_logins} }

sub check_password ($self, $user, $password) {
  return defined $user->{password} && defined $password && $user->{password} eq $password;
}

# Creates a user from Auth0-shaped fields (validation is the caller's job).
sub add_user ($self, $fields) {
  my $now  = iso_time($self->clock->());
  my $conn = $self->connection($fields->{connection} // 'Username-Password-Authentication');
  my %user = (
    connection     => $conn ? $conn->{name} : $fields->{connection},
    email_verified => \0,
    app_metadata   => {},
    user_metadata  => {},
    created_at     => $now,
    %$fields,
  );
  my $strategy = $conn ? $conn->{strategy} : 'auth0';
  $user{user_id} //= ($PROVIDER{$strategy} // $strategy) . '|' . unpack('H*', random_bytes(12));
  $user{user_id} = "$PROVIDER{$strategy}|$user{user_id}" unless $user{user_id} =~ /\|/;
  $user{updated_at} //= $user{created_at};
  $user{nickname}   //= (split /@/, $user{email} // $user{username} // $user{phone_number} // 'user')[0];
  $user{name}       //= $user{email} // $user{phone_number};
  $user{mfa} = _expand_mfa($user{mfa}, $user{user_id}) if $user{mfa};
  $user{$_} = _bool($user{$_}) for grep { exists $user{$_} } qw(email_verified phone_verified blocked);
  $self->{users}{$user{user_id}} = \%user;
  push @{$self->{user_order}}, $user{user_id};
  $self->_index_email(\%user);
  return \%user;
}

sub update_user ($self, $user, $changes) {
  $self->_unindex_email($user);
  for my $key (keys %$changes) {
    my $value = $changes->{$key};
    if ($key eq 'app_metadata' || $key eq 'user_metadata') {
      # Auth0 merges metadata one level deep; null removes a property.
      for my $k (keys %$value) {
        if   (defined $value->{$k}) { $user->{$key}{$k} = $value->{$k} }
        else                        { delete $user->{$key}{$k} }
      }
    }
    elsif (!defined $value) { delete $user->{$key} }
    else { $user->{$key} = $key =~ /^(?:email_verified|phone_verified|blocked)$/ ? _bool($value) : $value }
  }
  $user->{updated_at} = iso_time($self->clock->());
  $self->_index_email($user);
  return $user;
}

sub delete_user ($self, $id) {
  my $user = delete $self->{users}{$id} or return 0;
  $self->_unindex_email($user);
  $self->{user_order} = [grep { $_ ne $id } @{$self->{user_order}}];
  delete $self->{user_roles}{$id};
  delete $self->{user_perms}{$id};
  delete $_->{members}{$id} for values %{$self->{orgs}};
  return 1;
}

# First sequence number for $count bulk users (POST /__control/users/bulk).
sub reserve_bulk ($self, $count) {
  my $start = $self->{bulk_next} // 1;
  $self->{bulk_next} = $start + $count;
  return $start;
}

sub record_login ($self, $user) {
  $user->{logins_count}++;
  $user->{last_login} = iso_time($self->clock->());
}

sub _index_email ($self, $user) {
  $self->{email_index}{lc $user->{email}}{$user->{connection}} = $user->{user_id} if defined $user->{email};
}

sub _unindex_email ($self, $user) {
  return unless defined $user->{email};
  my $ids = $self->{email_index}{lc $user->{email}} or return;
  delete $ids->{$user->{connection}};
  delete $self->{email_index}{lc $user->{email}} unless %$ids;
}

sub _bool ($v) { ref $v ? $v : ($v && $v ne 'false') ? \1 : \0 }

# seed.json describes MFA briefly; internally every factor is an authenticator
# with the ids Auth0 uses ("totp|dev_...", "sms|dev_...", "recovery-code|dev_...").
sub _expand_mfa ($mfa, $uid) {
  return $mfa if $mfa->{authenticators};
  my $tag = substr(unpack('H*', $uid), -12);
  my @auth;
  push @auth, {id => "totp|dev_$tag", authenticator_type => 'otp', secret => $mfa->{totp_secret}, active => 1}
    if $mfa->{totp_secret};
  push @auth,
    {id => "sms|dev_$tag", authenticator_type => 'oob', oob_channel => 'sms', phone_number => $mfa->{sms_phone_number},
    active => 1}
    if $mfa->{sms_phone_number};
  push @auth,
    {id => "recovery-code|dev_$tag", authenticator_type => 'recovery-code', code => $mfa->{recovery_code}, active => 1}
    if $mfa->{recovery_code};
  return {authenticators => \@auth};
}

sub mfa_authenticators ($self, $user) { $user->{mfa}{authenticators} //= [] }

# MFA is required once the user has an active factor other than a recovery code.
sub user_has_mfa ($self, $user) {
  return !!grep { $_->{active} && $_->{authenticator_type} ne 'recovery-code' } @{$user->{mfa}{authenticators} // []};
}

# ---- organizations ---------------------------------------------------------

sub organization ($self, $id) { defined $id ? $self->{orgs}{$id} : undef }

sub organization_by_name ($self, $name) { (grep { $_->{name} eq ($name // '') } @{$self->organizations})[0] }

# /authorize and the token endpoint accept an organization id or name.
sub resolve_organization ($self, $value) {
  return undef unless defined $value;
  return $value =~ /^org_/ ? $self->organization($value) : $self->organization_by_name(lc $value);
}

sub organizations ($self) { [sort { $a->{name} cmp $b->{name} } values %{$self->{orgs}}] }

sub add_organization ($self, $org) {
  my $members = delete $org->{members} // [];
  $org->{id} //= random_id('org_');
  $org->{members}     = {};
  $org->{invitations} //= [];
  $self->{orgs}{$org->{id}} = $org;
  for my $m (@$members) { $org->{members}{$m->{user_id}} = {roles => {map { $_ => 1 } @{$m->{roles} // []}}} }
  return $org;
}

sub delete_organization ($self, $id) { !!delete $self->{orgs}{$id} }

sub is_member ($self, $org, $uid) { !!$org->{members}{$uid} }

sub org_members ($self, $org) {
  return [map { $self->{users}{$_} // () } sort keys %{$org->{members}}];
}

sub org_member_roles ($self, $org, $uid) {
  my $member = $org->{members}{$uid} or return [];
  return [grep { $member->{roles}{$_->{id}} } @{$self->roles}];
}

sub invitation ($self, $org, $id) { (grep { $_->{id} eq ($id // '') } @{$org->{invitations}})[0] }

1;
