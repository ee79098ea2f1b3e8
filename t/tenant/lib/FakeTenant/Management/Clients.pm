package FakeTenant::Management::Clients;

# /api/v2/clients and /api/v2/connections (read-only).  As with Auth0, a
# client_secret is only shown to tokens with the read:client_keys scope,
# and in the answer to the create call.

use Mojo::Base 'FakeTenant::Management', -signatures;

use FakeTenant::Util qw(random_id random_token);

my @WRITABLE = qw(name description app_type callbacks allowed_logout_urls web_origins allowed_origins grant_types
  token_endpoint_auth_method jwt_configuration refresh_token is_first_party oidc_conformant client_metadata logo_uri
  client_secret require_pushed_authorization_requests);

# Default grant types per application type (Auth0 dashboard defaults).
my %DEFAULT_GRANTS = (
  regular_web     => [qw(authorization_code refresh_token)],
  spa             => [qw(authorization_code refresh_token)],
  native          => [qw(authorization_code refresh_token)],
  non_interactive => ['client_credentials'],
);

sub routes ($class, $r) {
  my $c = 'Management::Clients';
  $r->get('/clients')->to("$c#list");
  $r->post('/clients')->to("$c#create");
  $r->get('/clients/<#id>')->to("$c#show");
  $r->patch('/clients/<#id>')->to("$c#update");
  $r->delete('/clients/<#id>')->to("$c#remove");
  $r->get('/connections')->to("$c#connections");
  $r->get('/connections/<#id>')->to("$c#connection");
}

# The client as the API shows it: key material stays private.
sub _view ($c, $client, $with_secret) {
  my %view = %$client;
  delete $view{client_secret} unless $with_secret;
  if (my $creds = $client->{client_authentication_methods}{private_key_jwt}{credentials}) {
    $view{client_authentication_methods} = {private_key_jwt => {credentials => [map { {id => $_->{id}} } @$creds]}};
  }
  return \%view;
}

sub _client ($c) {
  return $c->dir->client($c->param('id')) // $c->mgmt_error(404, 'The client does not exist', 'inexistent_client');
}

sub list ($c) {
  $c->scope_ok('read:clients') or return;
  my @clients = @{$c->dir->clients};
  if (defined(my $type = $c->param('app_type'))) {
    my %want = map { $_ => 1 } split /,/, $type;
    @clients = grep { $want{$_->{app_type} // ''} } @clients;
  }
  if (defined(my $first = $c->param('is_first_party'))) {
    @clients = grep { !!$_->{is_first_party} == ($first eq 'true') } @clients;
  }
  my $secret = $c->has_scope('read:client_keys');
  return $c->render_offset([map { _view($c, $_, $secret) } @clients], 'clients');
}

sub show ($c) {
  $c->scope_ok('read:clients', 'read:client_keys') or return;
  my $client = _client($c) or return;
  return $c->render(json => $c->select_fields(_view($c, $client, $c->has_scope('read:client_keys'))));
}

sub create ($c) {
  $c->scope_ok('create:clients') or return;
  my $body = $c->json_body(@WRITABLE) or return;
  return $c->bad_body('Missing required property: name') unless defined $body->{name} && length $body->{name};
  my $type   = $body->{app_type} // 'regular_web';
  my $public = ($body->{token_endpoint_auth_method} // '') eq 'none';
  my $client = $c->dir->add_client({
    client_id                  => random_id('', 32),
    app_type                   => $type,
    token_endpoint_auth_method => $public ? 'none' : 'client_secret_post',
    grant_types                => $DEFAULT_GRANTS{$type} // $DEFAULT_GRANTS{regular_web},
    callbacks                  => [],
    allowed_logout_urls        => [],
    is_first_party             => \1,
    oidc_conformant            => \1,
    jwt_configuration          => {alg => 'RS256', lifetime_in_seconds => 36000},
    %$body,
    $public ? () : (client_secret => $body->{client_secret} // random_token(48)),
  });
  return $c->render(status => 201, json => _view($c, $client, 1));
}

sub update ($c) {
  $c->scope_ok('update:clients') or return;
  my $client = _client($c) or return;
  my $body   = $c->json_body(@WRITABLE) or return;
  for my $key (keys %$body) {
    if   (defined $body->{$key}) { $client->{$key} = $body->{$key} }
    else                         { delete $client->{$key} }
  }
  return $c->render(json => _view($c, $client, $c->has_scope('read:client_keys')));
}

sub remove ($c) {
  $c->scope_ok('delete:clients') or return;
  $c->dir->delete_client($c->param('id'));
  return $c->rendered(204);
}

sub _connection_view ($conn) {
  return {
    id                   => $conn->{id},
    name                 => $conn->{name},
    strategy             => $conn->{strategy},
    display_name         => $conn->{display_name} // $conn->{name},
    enabled_clients      => $conn->{enabled_clients},
    options              => $conn->{options} // {},
    realms               => [$conn->{name}],
    is_domain_connection => \0,
  };
}

sub connections ($c) {
  $c->scope_ok('read:connections') or return;
  my @conns = @{$c->dir->connections};
  for my $filter (qw(strategy name)) {
    my $want = $c->param($filter) // next;
    @conns = grep { $_->{$filter} eq $want } @conns;
  }
  return $c->render_list([sort { $a->{id} cmp $b->{id} } map { _connection_view($_) } @conns],
    'connections', sub ($conn) { $conn->{id} });
}

sub connection ($c) {
  $c->scope_ok('read:connections') or return;
  my $conn = $c->dir->connection_by_id($c->param('id'))
    or return $c->mgmt_error(404, 'The connection does not exist', 'inexistent_connection');
  return $c->render(json => $c->select_fields(_connection_view($conn)));
}

1;
