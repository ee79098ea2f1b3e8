package FakeTenant::Device;

# Device Authorization Flow (RFC 8628) as Auth0 answers it: POST
# /oauth/device/code, the activation page /activate, and the device_code
# grant (403 authorization_pending, 429 slow_down, 403 expired_token).
# Tests approve with POST /__control/device/approve.

use Mojo::Base 'Mojolicious::Controller', -signatures;

use Crypt::PRNG qw(random_string_from);
use FakeTenant::Grants;
use FakeTenant::Util qw(random_token);

my $GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

sub routes ($class, $r) {
  $r->post('/oauth/device/code')->to('Device#code');
  $r->get('/activate')->to('Device#activate_page');
  $r->post('/activate')->to('Device#activate');
}

sub grants ($class) { return {$GRANT => \&_grant} }

sub code ($c) {
  my $p = $c->body_params or return;
  my $dir    = $c->dir;
  my $client = $dir->client($p->{client_id})
    or return $c->oauth_error(401, 'invalid_client',
    defined $p->{client_id} ? 'Unknown client' : 'Missing required parameter: client_id');
  return $c->oauth_error(403, 'unauthorized_client', "Grant type '$GRANT' not allowed for the client.")
    unless $dir->client_has_grant($client, $GRANT);
  return unless FakeTenant::Grants::check_audience($c, $p->{audience});

  my $t        = $c->tenant;
  my $lifetime = $t->setting('device_code_lifetime');
  my $interval = $t->setting('device_interval');
  # Auth0's default user code: 8 consonants, shown as XXXX-XXXX.
  my $user_code   = join '-', map { random_string_from('BCDFGHJKLMNPQRSTVWXZ', 4) } 1, 2;
  my $device_code = random_token(24);
  $t->store->put(
    device => $device_code,
    {
      client_id => $client->{client_id},
      scope     => $p->{scope},
      audience  => $p->{audience},
      user_code => $user_code,
      status    => 'pending',
      interval  => $interval,
    },
    $lifetime
  );
  $t->store->put(user_code => $user_code, {device_code => $device_code}, $lifetime);
  my $verify = $t->base_url . '/activate';
  return $c->render(json => {
    device_code               => $device_code,
    user_code                 => $user_code,
    verification_uri          => $verify,
    verification_uri_complete => "$verify?user_code=$user_code",
    expires_in                => $lifetime + 0,
    interval                  => $interval + 0,
  });
}

# Approves (with the user) or denies the request behind a user code.
# Returns an error message, or undef on success.
sub decide ($tenant, $user_code, $user, $deny) {
  my $link  = $tenant->store->get(user_code => uc($user_code // '')) or return 'Unknown or expired user code';
  my $entry = $tenant->store->get(device => $link->{device_code}) or return 'Unknown or expired user code';
  return 'This code was already used' unless $entry->{status} eq 'pending';
  @$entry{qw(status user_id)} = $deny ? ('denied', undef) : ('approved', $user->{user_id});
  return undef;
}

sub activate_page ($c) {
  return $c->render(template => 'activate', user_code => $c->param('user_code') // '', message => undef);
}

sub activate ($c) {
  my $code = $c->param('user_code') // '';
  my $deny = ($c->param('action') // '') eq 'deny';
  my $user = $c->dir->user_by_login($c->param('username') // '', 'Username-Password-Authentication');
  my $again = sub ($message) { $c->render(template => 'activate', user_code => $code, message => $message, status => 400) };
  return $again->('Wrong email or password.') unless $deny || ($user && $c->dir->check_password($user, $c->param('password')));
  my $error = decide($c->tenant, $code, $user, $deny);
  return $again->($error) if $error;
  return $c->render(template => 'activated', denied => $deny);
}

sub _grant ($c, $client, $p) {
  my $code = $p->{device_code};
  return $c->oauth_error(400, 'invalid_request', 'Missing required parameter: device_code') unless defined $code;
  my $store = $c->store;
  my $entry = $store->peek(device => $code);
  return $c->oauth_error(403, 'invalid_grant', 'Invalid or expired device code.')
    unless $entry && $entry->{client_id} eq $client->{client_id};
  return $c->oauth_error(403, 'expired_token', 'The device_code has expired.') if $store->expired($entry);
  if ($entry->{status} eq 'denied') {
    $store->remove(device => $code);
    return $c->oauth_error(403, 'access_denied',
      'User cancelled the confirmation prompt or consent page; the code is no longer valid.');
  }
  if ($entry->{status} eq 'pending') {
    my $now  = $c->tenant->now;
    my $last = $entry->{last_poll};
    $entry->{last_poll} = $now;
    return $c->oauth_error(429, 'slow_down', "You are polling faster than the specified interval of $entry->{interval} seconds.")
      if defined $last && $now - $last < $entry->{interval};
    return $c->oauth_error(403, 'authorization_pending', 'User has yet to authorize device code.');
  }
  $store->remove(device => $code);
  my $user = $c->dir->user($entry->{user_id}) or return $c->oauth_error(403, 'invalid_grant', 'Invalid or expired device code.');
  return FakeTenant::Grants::login_user($c, $client, $user, {scope => $entry->{scope}, audience => $entry->{audience}},
    gty => 'device-code');
}

1;
