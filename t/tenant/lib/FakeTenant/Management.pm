package FakeTenant::Management;

# The Management API v2 subset under /api/v2: bearer-token checks, Auth0's
# error format, both pagination styles and field selection.  The resource
# controllers (Management::Users, ::Roles, ::Organizations, ::Clients)
# inherit these helpers.

use Mojo::Base 'Mojolicious::Controller', -signatures;

# The resource controllers subclass this one (Mojo::Base sees it is loaded).
use FakeTenant::Management::Clients;
use FakeTenant::Management::Organizations;
use FakeTenant::Management::Roles;
use FakeTenant::Management::Users;
use FakeTenant::Util qw(b64url b64url_decode scope_set);
use Mojo::Message::Response;

my $MAX_PER_PAGE = 100;
my %PER_PAGE_DOC = (
  per_page => 'Number of results per page. Defaults to 50.',
  take     => 'Number of results per page. Defaults to 50.',
  page     => 'Page index of the results to return. First page is 0.',
);

sub routes ($class, $r) {
  my $api = $r->under('/api/v2' => \&_authenticate);
  $_->routes($api) for map {"FakeTenant::Management::$_"} qw(Users Roles Organizations Clients);
}

# ---- authentication --------------------------------------------------------

sub _authenticate ($c) {
  my ($token) = ($c->req->headers->authorization // '') =~ /^Bearer\s+(\S+)$/i;
  return _unauthorized($c, 'Missing authentication') unless defined $token;
  my ($claims) = $c->app->keys->verify($token);
  return _unauthorized($c, 'Invalid token') unless $claims && ($claims->{iss} // '') eq $c->tenant->issuer;
  return _unauthorized($c, 'Expired token received for JSON Web Token validation') unless ($claims->{exp} // 0) > $c->tenant->now;
  my $audience = $c->tenant->management_audience;
  my @aud      = ref $claims->{aud} ? @{$claims->{aud}} : ($claims->{aud} // ());
  return _unauthorized($c, 'Bad audience: ' . join(' ', @aud)) unless grep { $_ eq $audience } @aud;
  $c->stash(mgmt_scopes => scope_set($claims->{scope}), mgmt_claims => $claims);
  return 1;
}

sub _unauthorized ($c, $message) {
  $c->render(
    status => 401,
    json   => {statusCode => 401, error => 'Unauthorized', message => $message, attributes => {error => $message}}
  );
  return undef;
}

# True when the token has any of the scopes; else renders Auth0's 403.
sub scope_ok ($c, @scopes) {
  my $have = $c->stash('mgmt_scopes');
  return 1 if grep { $have->{$_} } @scopes;
  return $c->mgmt_error(403, 'Insufficient scope, expected any of: ' . join(',', @scopes), 'insufficient_scope');
}

sub has_scope ($c, $scope) { !!$c->stash('mgmt_scopes')->{$scope} }

# {"statusCode":404,"error":"Not Found","message":"...","errorCode":"..."}
sub mgmt_error ($c, $status, $message, $code = undef) {
  $c->render(
    status => $status,
    json   => {
      statusCode => $status,
      error      => Mojo::Message::Response->default_message($status),
      message    => $message,
      defined $code ? (errorCode => $code) : (),
    }
  );
  return undef;
}

sub bad_body ($c, $message) { $c->mgmt_error(400, "Payload validation error: '$message'.", 'invalid_body') }

sub bad_query ($c, $message) { $c->mgmt_error(400, "Query validation error: $message", 'invalid_query_string') }

# The JSON object in the body, or undef once a 400 was rendered.  $allowed
# lists the accepted properties (Auth0 rejects additional ones).
sub json_body ($c, @allowed) {
  my $json = $c->req->json;
  return $c->mgmt_error(400, 'Invalid request payload JSON format', 'invalid_body') unless ref $json eq 'HASH';
  if (@allowed) {
    my %ok    = map { $_ => 1 } @allowed;
    my @extra = grep { !$ok{$_} } sort keys %$json;
    return $c->bad_body("Additional properties not allowed: @extra") if @extra;
  }
  return $json;
}

# A non-empty array of strings in $body->{$name}, or undef once a 400 was rendered.
sub id_list ($c, $body, $name) {
  my $list = $body->{$name};
  return $c->bad_body("Missing required property: $name") unless defined $list;
  return $c->bad_body("Expected type array but found type " . (ref $list || 'string') . " on property $name")
    unless ref $list eq 'ARRAY';
  return $c->bad_body("Array is too short (0), minimum 1 on property $name") unless @$list;
  return $c->bad_body("Expected type string on property $name") if grep { !defined || ref } @$list;
  return $list;
}

# The ids listed in the body's $field ({"roles": [...]}, {"members": [...]}),
# each naming an existing $kind ("role" or "user"); or undef once an error
# was rendered.
sub existing_ids ($c, $field, $kind) {
  my $body = $c->json_body($field) or return undef;
  my $ids  = $c->id_list($body, $field) or return undef;
  my @unknown = grep { !$c->dir->$kind($_) } @$ids;
  return $ids unless @unknown;
  return $c->mgmt_error(404, ucfirst($kind) . " not found: @unknown", "inexistent_$kind");
}

# The {permissions: [...]} body of the permission endpoints, every entry
# defined by its API; or undef once a 400 was rendered.
sub permission_list ($c) {
  my $body  = $c->json_body('permissions') or return undef;
  my $perms = $body->{permissions};
  return $c->bad_body('Missing required property: permissions') unless ref $perms eq 'ARRAY' && @$perms;
  return $c->bad_body('Each permission needs resource_server_identifier and permission_name')
    if grep { ref ne 'HASH' || !defined $_->{resource_server_identifier} || !defined $_->{permission_name} } @$perms;
  return $c->dir->permissions_exist($perms) ? $perms : $c->mgmt_error(400, 'Permission does not exist', 'invalid_body');
}

# ---- views and field selection ----------------------------------------------

# Permissions as the API lists them, with the API's name and description.
sub permission_views ($c, $perms) {
  my @views;
  for my $perm (@$perms) {
    my $api     = $c->dir->api($perm->{resource_server_identifier});
    my ($scope) = grep { $_->{value} eq $perm->{permission_name} } @{$api ? $api->{scopes} : []};
    push @views,
      {%$perm, resource_server_name => $api ? $api->{name} : undef, description => $scope ? $scope->{description} : undef};
  }
  return \@views;
}

sub user_view ($c, $user) {
  my %view = map { $_ => $user->{$_} } grep { !/^(?:password|mfa|connection)$/ } keys %$user;
  my $conn = $c->dir->connection($user->{connection});
  my ($id) = $user->{user_id} =~ /\|(.+)$/;
  $view{identities} = [{
    connection => $user->{connection},
    user_id    => $id,
    provider   => $conn ? ($conn->{strategy} eq 'auth0' ? 'auth0' : $conn->{strategy}) : 'auth0',
    isSocial   => \0,
  }];
  $view{multifactor} = ['guardian'] if $c->dir->user_has_mfa($user);
  return \%view;
}

sub role_view ($c, $role) { return {id => $role->{id}, name => $role->{name}, description => $role->{description}} }

# Applies fields= / include_fields= to one object.
sub select_fields ($c, $object) {
  my $fields = $c->param('fields');
  return $object unless defined $fields && length $fields;
  my %listed  = map { $_ => 1 } split /\s*,\s*/, $fields;
  my $include = ($c->param('include_fields') // 'true') ne 'false';
  return {map { $_ => $object->{$_} } grep { $include ? $listed{$_} : !$listed{$_} } keys %$object};
}

# ---- pagination --------------------------------------------------------------

sub _int_param ($c, $name, $default, $min, $max) {
  my $value = $c->param($name);
  return $default if !defined $value || !length $value;
  my $doc = $PER_PAGE_DOC{$name} // $name;
  return $c->bad_query("'Expected type integer but found type string' on property $name ($doc).") unless $value =~ /^-?\d+$/;
  return $c->bad_query("'Value $value is less than minimum $min' on property $name ($doc).") if $value < $min;
  return $c->bad_query("'Value $value is greater than maximum $max' on property $name ($doc).") if defined $max && $value > $max;
  return $value + 0;
}

# Checkpoint pagination is used when from or take is present.
sub wants_checkpoint ($c) { defined $c->param('from') || defined $c->param('take') }

# Offset pagination: page (0-based) / per_page (1..100) / include_totals.
# Returns (page, per_page) or an empty list once a 400 was rendered.
sub offset_params ($c) {
  my $page = _int_param($c, 'page', 0, 0, undef) // return;
  my $per  = _int_param($c, 'per_page', 50, 1, $MAX_PER_PAGE) // return;
  return ($page, $per);
}

# Renders one page of @$items: a bare array, or with include_totals=true
# {start, limit, [length,] total, <field>: [...]}.  %opt: length => 1
# (users carry it), view => sub to render each item.
sub render_offset ($c, $items, $field, %opt) {
  my ($page, $per) = offset_params($c) or return;
  my $start = $page * $per;
  my @slice = $start < @$items ? @$items[$start .. ($start + $per > @$items ? $#$items : $start + $per - 1)] : ();
  @slice = map { $c->select_fields($opt{view} ? $opt{view}->($_) : $_) } @slice;
  return $c->render(json => \@slice) unless ($c->param('include_totals') // 'false') eq 'true';
  return $c->render(json => {
    start => $start,
    limit => $per,
    $opt{length} ? (length => scalar @slice) : (),
    total  => scalar @$items,
    $field => \@slice,
  });
}

# Checkpoint pagination: from (opaque cursor) / take (1..100), answering
# {<field>: [...], next: cursor} with next left out on the last page.
# @$items must be sorted by $key_of; the cursor is the key of the next
# item, so deletions between pages neither skip nor repeat items.
sub render_checkpoint ($c, $items, $field, $key_of, %opt) {
  my $take = _int_param($c, 'take', 50, 1, $MAX_PER_PAGE) // return;
  my $from = $c->param('from') // '';
  my $start = 0;
  if (length $from) {
    my $key = $from =~ /^[A-Za-z0-9_-]+$/ ? b64url_decode($from) : undef;
    return $c->bad_query("'Invalid checkpoint' on property from.") unless defined $key && length $key;
    $start++ while $start < @$items && $key_of->($items->[$start]) lt $key;
  }
  my $end   = $start + $take > @$items ? scalar @$items : $start + $take;
  my @slice = map { $c->select_fields($opt{view} ? $opt{view}->($_) : $_) } @$items[$start .. $end - 1];
  return $c->render(json => {$field => \@slice, $end < @$items ? (next => b64url($key_of->($items->[$end]))) : ()});
}

# Either pagination, as the request asks.
sub render_list ($c, $items, $field, $key_of, %opt) {
  return $c->wants_checkpoint ? $c->render_checkpoint($items, $field, $key_of, %opt) : $c->render_offset($items, $field, %opt);
}

1;
