package FakeTenant;

# A fake Auth0 tenant: the Mojolicious application.  This module wires the
# pieces together: shared state, helpers, the hooks that record requests and
# inject faults, and the routes of each endpoint module.

use Mojo::Base 'Mojolicious', -signatures;

use FakeTenant::CIBA;
use FakeTenant::Control;
use FakeTenant::DBConnections;
use FakeTenant::Device;
use FakeTenant::Faults;
use FakeTenant::Federation;
use FakeTenant::Grants;
use FakeTenant::Keys;
use FakeTenant::Management;
use FakeTenant::MFA;
use FakeTenant::OAuth;
use FakeTenant::OIDC;
use FakeTenant::Passwordless;
use FakeTenant::Recorder;
use FakeTenant::Tenant;
use FakeTenant::Tokens;
use Mojolicious::Routes::Match;

has 'state_dir';    # where make-ca put keys and certificates (optional)
has seed_file => sub ($self) { $self->home->child('seed.json')->to_string };

has tenant => sub ($self) { FakeTenant::Tenant->new(seed_file => $self->seed_file, state_dir => $self->state_dir) };
has keys     => sub ($self) { FakeTenant::Keys->new(state_dir => $self->state_dir)->load };
has tokens   => sub ($self) { FakeTenant::Tokens->new(tenant => $self->tenant, keys => $self->keys) };
has recorder => sub { FakeTenant::Recorder->new->reset };
has faults   => sub { FakeTenant::Faults->new };

# The endpoint modules: each registers its routes; those with a grants()
# method also handle token grant types.
my @ENDPOINT_MODULES = map {"FakeTenant::$_"}
  qw(OAuth Grants OIDC DBConnections Passwordless MFA CIBA Device Federation Management Control);

sub startup ($self) {
  $self->secrets(['fake-tenant-cookies-are-not-secret']);
  $self->max_request_size(1024 * 1024);    # far above any real request; larger bodies get a 413
  $self->log->level($ENV{FAKE_TENANT_LOG_LEVEL} // 'warn');
  $self->renderer->default_format('html');
  $self->exception_format('json');         # 404/500 outside the HTML pages are JSON, like Auth0's
  $self->keys;                             # load or generate now, not on the first request

  $self->helper(tenant      => sub ($c) { $c->app->tenant });
  $self->helper(dir         => sub ($c) { $c->app->tenant->dir });
  $self->helper(store       => sub ($c) { $c->app->tenant->store });
  $self->helper(tokens      => sub ($c) { $c->app->tokens });
  $self->helper(oauth_error => \&_oauth_error);
  $self->helper(body_params => \&_body_params);
  $self->helper(error_page  => \&_error_page);

  $self->hook(around_dispatch => \&_around_dispatch);

  my $r = $self->routes;
  $_->routes($r) for @ENDPOINT_MODULES;
  $self->{grants} = {map { %{$_->grants} } grep { $_->can('grants') } @ENDPOINT_MODULES};
}

# Token grant handlers by grant_type, collected from the endpoint modules.
sub grant_handler ($self, $type) { $self->{grants}{$type} }

sub grant_types ($self) { [sort keys %{$self->{grants}}] }

# Fixes the public base URL (https://127.0.0.1:PORT) once the port is
# known, and brings the tenant to its seed state.
sub configure_base ($self, $url) {
  $url =~ s{/+$}{};
  $self->tenant->base_url($url);
  return $self->reset_all;
}

# POST /__control/reset: seed data, keys, counters, faults, tweaks.
sub reset_all ($self) {
  $self->tenant->reset;
  $self->keys->reset;
  $self->recorder->reset;
  $self->faults->clear;
  return $self;
}

sub _around_dispatch ($next, $c) {
  my $app = $c->app;
  my $req = $c->req;

  # In-process tests (Test::Mojo) learn the port from their first request.
  $app->configure_base($req->url->to_abs->base->to_string) unless $app->tenant->base_url;

  my $path = $req->url->path->to_string;
  return $next->() if $path =~ m{^/__control/};

  if ($req->is_limit_exceeded) {
    return $c->render(json => {error => 'request_too_large', error_description => 'Request body too large'}, status => 413);
  }
  my $grant = _grant_type($c);
  $app->recorder->record($c, _route_template($c), $grant);
  my $rule = $app->faults->take($req->method, $path, $grant) or return $next->();
  $app->faults->apply($c, $rule, $next);
}

# "/api/v2/users/{id}" for /api/v2/users/auth0%7C123: the pattern of the
# route that will serve the request, so counters group by endpoint.
sub _route_template ($c) {
  my $match = Mojolicious::Routes::Match->new(root => $c->app->routes);
  $match->find($c => {method => $c->req->method, path => $c->req->url->path->to_route, websocket => 0});
  my $route = $match->endpoint or return $c->req->url->path->to_string;
  return $route->to_string =~ s/<[:#*]?(\w+)>/{$1}/gr;
}

sub _grant_type ($c) {
  return undef unless $c->req->method eq 'POST' && $c->req->url->path->to_string eq '/oauth/token';
  my $type = $c->req->headers->content_type // '';
  return $c->req->body_params->param('grant_type') unless $type =~ m{^application/json}i;
  my $json = $c->req->json;
  return ref $json eq 'HASH' && defined $json->{grant_type} && !ref $json->{grant_type} ? $json->{grant_type} : undef;
}

# Auth0's Authentication API error body.
sub _oauth_error ($c, $status, $error, $description, %extra) {
  $c->res->headers->cache_control('no-store');
  $c->render(json => {error => $error, error_description => $description, %extra}, status => $status);
  return undef;
}

sub _error_page ($c, $status, $error, $description) {
  $c->render(template => 'error', status => $status, error => $error, description => $description);
  return undef;
}

# Request parameters from a JSON or form body (the Authentication API takes
# both).  JSON null counts as absent, as with Auth0 (the Ruby SDK sends
# "audience": null); a repeated form parameter is an error (RFC 6749 3.1).
# Returns a hash, or undef once a 400 was rendered.
sub _body_params ($c) {
  return $c->stash->{'tenant.params'} if $c->stash->{'tenant.params'};
  my $req = $c->req;
  my %p;
  if (($req->headers->content_type // '') =~ m{^application/json}i) {
    my $json = $req->json;
    return $c->oauth_error(400, 'invalid_request', 'The request body must be a JSON object') unless ref $json eq 'HASH';
    for my $name (keys %$json) {
      my $value = $json->{$name};
      next unless defined $value;
      $p{$name} = ref $value eq 'HASH' || ref $value eq 'ARRAY' ? $value : "$value";
    }
  }
  else {
    my $params = $req->body_params;
    for my $name (@{$params->names}) {
      my $values = $params->every_param($name);
      return $c->oauth_error(400, 'invalid_request', "Parameter $name must not be repeated") if @$values > 1;
      $p{$name} = $values->[0];
    }
  }
  return $c->stash->{'tenant.params'} = \%p;
}

1;
