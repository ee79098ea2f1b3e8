package FakeTenant::CIBA;

# Client-Initiated Backchannel Authentication: POST /bc-authorize and the
# urn:openid:params:grant-type:ciba grant.  The user's approval comes from
# POST /__control/ciba/approve (a real tenant would push to Guardian).
# Errors follow Auth0's CIBA answers (HTTP 400, slow_down with Retry-After).

use Mojo::Base 'Mojolicious::Controller', -signatures;

use FakeTenant::ClientAuth;
use FakeTenant::Grants;
use FakeTenant::Util qw(random_token scope_set);
use Mojo::JSON qw(decode_json);

my $GRANT       = 'urn:openid:params:grant-type:ciba';
my $MAX_EXPIRY  = 300;

sub routes ($class, $r) { $r->post('/bc-authorize')->to('CIBA#authorize') }

sub grants ($class) { return {$GRANT => \&_grant} }

sub authorize ($c) {
  my $p = $c->body_params or return;
  my $base   = $c->tenant->base_url;
  my $client = FakeTenant::ClientAuth::authenticate($c, $p, audiences => ["$base/bc-authorize"]) or return;
  my $dir    = $c->dir;
  return $c->oauth_error(403, 'unauthorized_client', "Grant type '$GRANT' not allowed for the client.")
    unless $dir->client_has_grant($client, $GRANT);
  return $c->oauth_error(400, 'invalid_request', 'scope must contain openid') unless scope_set($p->{scope})->{openid};

  my $hint = eval { decode_json($p->{login_hint} // '') };
  return $c->oauth_error(400, 'invalid_request', 'login_hint must be JSON {"format":"iss_sub","iss":...,"sub":...}')
    unless ref $hint eq 'HASH' && ($hint->{format} // '') eq 'iss_sub';
  return $c->oauth_error(400, 'invalid_request', 'login_hint iss must be ' . $c->tenant->issuer)
    unless ($hint->{iss} // '') eq $c->tenant->issuer;
  my $user = $dir->user($hint->{sub}) or return $c->oauth_error(400, 'unknown_user_id', 'The login_hint user does not exist');

  my $message = $p->{binding_message};
  return $c->oauth_error(400, 'invalid_binding_message', 'binding_message is required (up to 64 of A-Za-z0-9 +-_.,:# and space)')
    unless defined $message && $message =~ /^[A-Za-z0-9+\-_.,:# ]{1,64}$/;
  my $expiry = $p->{requested_expiry} // $MAX_EXPIRY;
  return $c->oauth_error(400, 'invalid_request', "requested_expiry must be between 1 and $MAX_EXPIRY")
    unless $expiry =~ /^\d+$/ && $expiry >= 1 && $expiry <= $MAX_EXPIRY;
  return unless FakeTenant::Grants::check_audience($c, $p->{audience});

  my $interval = $c->tenant->setting('ciba_interval');
  my $id       = random_token(24);
  $c->store->put(
    ciba => $id,
    {
      client_id       => $client->{client_id},
      user_id         => $user->{user_id},
      scope           => $p->{scope},
      audience        => $p->{audience},
      binding_message => $message,
      status          => 'pending',
      interval        => $interval,
    },
    $expiry
  );
  return $c->render(json => {auth_req_id => $id, expires_in => $expiry + 0, interval => $interval + 0});
}

# Control API: the user approves or denies.  Returns false for an unknown id.
sub decide ($tenant, $id, $deny) {
  my $entry = $tenant->store->get(ciba => $id // '') or return 0;
  $entry->{status} = $deny ? 'denied' : 'approved';
  return 1;
}

sub _grant ($c, $client, $p) {
  my $id = $p->{auth_req_id};
  return $c->oauth_error(400, 'invalid_request', 'Missing required parameter: auth_req_id') unless defined $id;
  my $store = $c->store;
  my $entry = $store->peek(ciba => $id);
  return $c->oauth_error(400, 'invalid_grant', 'Invalid auth_req_id') unless $entry && $entry->{client_id} eq $client->{client_id};
  return $c->oauth_error(400, 'expired_token', 'The auth_req_id has expired') if $store->expired($entry);
  if ($entry->{status} eq 'denied') {
    $store->remove(ciba => $id);
    return $c->oauth_error(400, 'access_denied', 'The end-user denied the authorization request or it has been expired');
  }
  if ($entry->{status} eq 'pending') {
    my $now  = $c->tenant->now;
    my $last = $entry->{last_poll};
    $entry->{last_poll} = $now;
    if (defined $last && $now - $last < $entry->{interval}) {
      $c->res->headers->header('Retry-After' => $entry->{interval});
      return $c->oauth_error(400, 'slow_down', "You are polling faster than allowed. Try again in $entry->{interval} seconds.");
    }
    return $c->oauth_error(400, 'authorization_pending', 'The end-user authorization is pending');
  }
  $store->remove(ciba => $id);    # an auth_req_id is exchanged once
  my $user = $c->dir->user($entry->{user_id}) or return $c->oauth_error(400, 'invalid_grant', 'Invalid auth_req_id');
  return FakeTenant::Grants::login_user($c, $client, $user, {scope => $entry->{scope}, audience => $entry->{audience}}, gty => 'ciba');
}

1;
