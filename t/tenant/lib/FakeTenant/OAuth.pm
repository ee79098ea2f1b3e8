package FakeTenant::OAuth;

# The browser side of the authorization code flow: GET /authorize (with PAR
# and PKCE), the Universal-Login-like pages at /u/login and /u/mfa-otp, the
# tenant SSO session, and POST /oauth/par.

use Mojo::Base 'Mojolicious::Controller', -signatures;

use FakeTenant::ClientAuth;
use FakeTenant::MFA;
use FakeTenant::URLMatch qw(url_allowed);
use FakeTenant::Util qw(random_token scope_set);
use Mojo::Parameters;
use Mojo::URL;

my $SESSION_COOKIE = 'auth0';
my $TX_LIFETIME    = 3600;      # a login page may stay open this long
my %PROMPTS        = map { $_ => 1 } qw(none login consent select_account);
my @AUTH_FIELDS    = qw(client_secret client_assertion client_assertion_type);

# The OpenID PAPE policy Auth0 uses for multi-factor step-up (acr_values).
our $MFA_POLICY = 'http://schemas.openid.net/pape/policies/2007/06/multi-factor';

sub routes ($class, $r) {
  $r->get('/authorize')->to('OAuth#authorize');
  $r->get('/u/login')->to('OAuth#login_page');
  $r->post('/u/login')->to('OAuth#login');
  $r->post('/u/mfa-otp')->to('OAuth#mfa_otp');
  $r->post('/oauth/par')->to('OAuth#par');
}

sub authorize ($c) {
  my $p = $c->req->query_params->to_hash;
  for my $name (sort keys %$p) {
    return $c->error_page(400, 'invalid_request', "Parameter $name must not be repeated") if ref $p->{$name};
  }
  my $client = $c->dir->client($p->{client_id})
    or return $c->error_page(400, 'invalid_request',
    defined $p->{client_id} ? "Unknown client: $p->{client_id}" : 'Missing required parameter: client_id');

  # A client set to require PAR (Auth0's require_pushed_authorization_requests) takes only a request_uri.
  return $c->error_page(400, 'invalid_request', 'Pushed Authorization Requests are required for this client')
    if $client->{require_pushed_authorization_requests} && !defined $p->{request_uri};
  # PAR: the pushed parameters replace the query, and a request_uri works once.
  if (defined $p->{request_uri}) {
    my $par = $c->store->take(par => $p->{request_uri});
    return $c->error_page(400, 'invalid_request', 'The request_uri is invalid, expired or was already used')
      unless $par && $par->{client_id} eq $client->{client_id};
    $p = {%{$par->{params}}, client_id => $client->{client_id}};
  }

  my ($tx, $where, $error, $description) = check_request($c, $client, $p);
  return $c->error_page(400, $error, $description) if !$tx && $where eq 'page';
  return respond($c, $where, {error => $error, error_description => $description, state => $p->{state}}) unless $tx;

  my $prompt  = scope_set($tx->{prompt});
  my $session = $c->_sso_session;
  # max_age=0 is prompt=login (OIDC Core 3.1.2.1), hence "<=".
  my $force = $prompt->{login}
    || ($session && defined $tx->{max_age} && $session->{auth_time} + $tx->{max_age} <= $c->tenant->now);

  if (my $email = $c->tenant->autologin) {
    my $user = $c->dir->user_by_email($email, 'Username-Password-Authentication')
      or return $c->error_page(500, 'server_error', "autologin user $email does not exist");
    return complete($c, $tx, $user, start_session($c, $user));
  }
  return complete($c, $tx, $c->dir->user($session->{user_id}), $session) if $session && !$force;
  return respond($c, $tx, {error => 'login_required', error_description => 'Login required', state => $tx->{state}})
    if $prompt->{none};

  my $id = random_token(24);
  $c->store->put(tx => $id, $tx, $TX_LIFETIME);
  return $c->redirect_to($c->url_for('/u/login')->query(state => $id));
}

# Validates authorization request parameters (for /authorize and PAR).
# Returns ($tx) or (undef, $where, $error, $description) where $where is
# "page" when the error must not go to the redirect_uri (RFC 6749 4.1.2.1)
# and otherwise the partial transaction to send the error to.
sub check_request ($c, $client, $p) {
  my $dir      = $c->dir;
  my $redirect = $p->{redirect_uri};
  return (undef, 'page', 'invalid_request', 'Missing required parameter: redirect_uri')
    unless defined $redirect && length $redirect;
  return (undef, 'page', 'invalid_request', "Callback URL mismatch. $redirect is not in the list of allowed callback URLs")
    unless url_allowed($redirect, $client->{callbacks});
  my $mode = $p->{response_mode} // 'query';
  return (undef, 'page', 'invalid_request', "Unsupported response_mode: $mode") unless $mode =~ /^(?:query|fragment|form_post)$/;

  my %tx   = (client_id => $client->{client_id}, redirect_uri => $redirect, response_mode => $mode, state => $p->{state});
  my $fail = sub ($error, $description) { (undef, \%tx, $error, $description) };

  my $type = $p->{response_type} // '';
  return $fail->('unsupported_response_type', "Unsupported response type: $type") unless $type eq 'code';
  return $fail->('unauthorized_client', 'Grant type authorization_code not allowed for the client.')
    unless $dir->client_has_grant($client, 'authorization_code');

  if (defined(my $challenge = $p->{code_challenge})) {
    my $method = $p->{code_challenge_method} // 'plain';
    return $fail->('invalid_request', 'code_challenge_method must be S256 or plain') unless $method =~ /^(?:S256|plain)$/;
    return $fail->('invalid_request', 'Invalid code_challenge') unless $challenge =~ /^[A-Za-z0-9._~-]{43,128}$/;
    @tx{qw(code_challenge code_challenge_method)} = ($challenge, $method);
  }
  elsif ($dir->client_is_public($client)) {
    return $fail->('invalid_request', 'Parameter code_challenge is required: public clients must use PKCE');
  }

  if (defined $p->{audience} && length $p->{audience}) {
    return $fail->('access_denied', "Service not found: $p->{audience}") unless $dir->api($p->{audience});
    $tx{audience} = $p->{audience};
  }
  if (defined $p->{organization} && length $p->{organization}) {
    my $org = $dir->resolve_organization($p->{organization})
      or return $fail->('invalid_request', "parameter organization is invalid: no organization found for $p->{organization}");
    $tx{org_id} = $org->{id};
    if (defined $p->{invitation}) {
      return $fail->('invalid_request', 'invitation is invalid') unless $dir->invitation($org, $p->{invitation});
      $tx{invitation} = $p->{invitation};
    }
  }
  elsif (defined $p->{invitation}) { return $fail->('invalid_request', 'invitation requires an organization') }
  if (defined $p->{connection} && length $p->{connection}) {
    my $conn = $dir->client_connection($client, $p->{connection})
      or return $fail->('invalid_request', "the connection $p->{connection} is not enabled for this client");
    return $fail->('invalid_request', 'interactive login supports database connections only; use /passwordless/start')
      unless $conn->{strategy} eq 'auth0';
    $tx{connection} = $conn->{name};
  }
  my $prompt = scope_set($p->{prompt});
  for my $value (sort keys %$prompt) { return $fail->('invalid_request', "Unsupported prompt: $value") unless $PROMPTS{$value} }
  return $fail->('invalid_request', 'prompt=none cannot be combined with other values') if $prompt->{none} && keys %$prompt > 1;
  # acr_values with Auth0's multi-factor policy: the login is made with a second factor (ours: at once),
  # and the ID token says so (amr ["mfa"], acr); setting honor_acr_values 0 plays a tenant that ignores it
  if (defined $p->{acr_values} && length $p->{acr_values}) {
    $tx{mfa} = 1 if $c->tenant->setting('honor_acr_values')
      && grep { $_ eq $MFA_POLICY } split / /, $p->{acr_values};
  }
  if (defined $p->{max_age}) {
    return $fail->('invalid_request', 'max_age must be a non-negative integer') unless $p->{max_age} =~ /^\d+$/;
    $tx{max_age} = $p->{max_age};
  }
  $tx{scope} = $p->{scope} // 'openid';
  $tx{$_} = $p->{$_} for grep { defined $p->{$_} } qw(nonce prompt login_hint screen_hint);
  return (\%tx);
}

sub login_page ($c) {
  my $tx = $c->store->get(tx => $c->param('state') // '')
    or return $c->error_page(400, 'invalid_request', 'Invalid or expired login transaction');
  return _show_login($c, $tx, 200, undef);
}

sub login ($c) {
  my $id = $c->param('state') // '';
  my $tx = $c->store->get(tx => $id) or return $c->error_page(400, 'invalid_request', 'Invalid or expired login transaction');
  return _deny($c, $id, $tx) if ($c->param('action') // '') eq 'cancel';

  my $dir  = $c->dir;
  my $user = $dir->user_by_login($c->param('username') // '', $tx->{connection} // 'Username-Password-Authentication');
  return _show_login($c, $tx, 400, 'Wrong email or password.')
    unless $user && $dir->check_password($user, $c->param('password'));
  if ($dir->is_blocked($user)) {
    $c->store->remove(tx => $id);
    return respond($c, $tx, {error => 'unauthorized', error_description => 'user is blocked', state => $tx->{state}});
  }
  if ($dir->user_has_mfa($user)) {
    $tx->{mfa_user} = $user->{user_id};
    return $c->render(template => 'mfa', tx_id => $id, message => undef, status => 200);
  }
  $c->store->remove(tx => $id);
  return complete($c, $tx, $user, start_session($c, $user));
}

sub mfa_otp ($c) {
  my $id = $c->param('state') // '';
  my $tx = $c->store->get(tx => $id);
  return $c->error_page(400, 'invalid_request', 'Invalid or expired login transaction') unless $tx && $tx->{mfa_user};
  return _deny($c, $id, $tx) if ($c->param('action') // '') eq 'cancel';
  my $user = $c->dir->user($tx->{mfa_user});
  return $c->render(template => 'mfa', tx_id => $id, message => 'Invalid code, try again.', status => 400)
    unless $user && FakeTenant::MFA::verify_totp($c->tenant, $user, $c->param('code'));
  $c->store->remove(tx => $id);
  return complete($c, $tx, $user, start_session($c, $user));
}

sub par ($c) {
  return $c->oauth_error(400, 'invalid_request', 'Pushed authorization requests must be application/x-www-form-urlencoded')
    if ($c->req->headers->content_type // '') !~ m{^application/x-www-form-urlencoded}i;
  my $p = $c->body_params or return;
  my $base   = $c->tenant->base_url;
  my $client = FakeTenant::ClientAuth::authenticate($c, $p, audiences => ["$base/oauth/par", "$base/oauth/token"]) or return;
  my %params = %$p;
  delete @params{@AUTH_FIELDS};
  return $c->oauth_error(400, 'invalid_request', 'request_uri is not allowed in a pushed authorization request')
    if defined $params{request_uri};
  my ($tx, undef, $error, $description) = check_request($c, $client, \%params);
  return $c->oauth_error(400, $error, $description) unless $tx;
  my $lifetime = $c->tenant->setting('par_lifetime');
  my $uri      = 'urn:ietf:params:oauth:request_uri:' . random_token(24);
  $c->store->put(par => $uri, {client_id => $client->{client_id}, params => \%params}, $lifetime);
  return $c->render(json => {request_uri => $uri, expires_in => $lifetime + 0}, status => 201);
}

# ---- shared by the other login paths (passwordless links, device, autologin)

# A new tenant SSO session for the user (the "auth0" cookie).
sub start_session ($c, $user) {
  my $t        = $c->tenant;
  my $lifetime = $t->setting('session_lifetime');
  my $sid      = random_token(24);
  my $session  = $t->store->put(session => $sid, {sid => $sid, user_id => $user->{user_id}, auth_time => $t->now}, $lifetime);
  $c->dir->record_login($user);
  $c->cookie(
    $SESSION_COOKIE => $sid,
    {path => '/', httponly => 1, max_age => $lifetime, samesite => 'None', secure => $c->req->is_secure}
  );
  return $session;
}

sub end_session ($c, $sid = undef) {
  $sid //= $c->cookie($SESSION_COOKIE);
  $c->store->remove(session => $sid) if defined $sid;
  $c->cookie($SESSION_COOKIE => '', {path => '/', expires => 1, samesite => 'None', secure => $c->req->is_secure});
}

# Issues the authorization code for a logged-in user and sends it back.
sub complete ($c, $tx, $user, $session) {
  my $dir = $c->dir;
  my $err = sub ($error, $description) {
    respond($c, $tx, {error => $error, error_description => $description, state => $tx->{state}});
  };
  return $err->('unauthorized', 'user is blocked') if $dir->is_blocked($user);
  if (my $org = $dir->organization($tx->{org_id})) {
    if (!$dir->is_member($org, $user->{user_id})) {
      return $err->('access_denied', "user $user->{user_id} is not part of the $org->{id} organization")
        unless $tx->{invitation};
      $org->{members}{$user->{user_id}} = {roles => {}};    # accepting the invitation makes a member
    }
  }
  my $code = random_token(32);
  $c->store->put(
    code => $code,
    {
      %$tx,
      user_id   => $user->{user_id},
      auth_time => $session->{auth_time},
      sid       => $session->{sid},
      issued    => {refresh_tokens => [], access_tokens => []},
    },
    $c->tenant->setting('code_lifetime')
  );
  return respond($c, $tx, {code => $code, state => $tx->{state}});
}

# Sends parameters to the client's redirect_uri per response_mode.
sub respond ($c, $tx, $params) {
  my %out = map { $_ => $params->{$_} } grep { defined $params->{$_} } keys %$params;
  my $mode = $tx->{response_mode} // 'query';
  if ($mode eq 'form_post') {
    return $c->render(template => 'form_post', action => $tx->{redirect_uri}, fields => \%out);
  }
  my $url = Mojo::URL->new($tx->{redirect_uri});
  if   ($mode eq 'fragment') { $url->fragment(Mojo::Parameters->new(map { $_ => $out{$_} } sort keys %out)->to_string) }
  else                       { $url->query->merge(map { $_ => $out{$_} } sort keys %out) }
  $c->res->headers->cache_control('no-store');
  return $c->redirect_to($url);
}

sub _sso_session ($c) {
  my $sid     = $c->cookie($SESSION_COOKIE) // return undef;
  my $session = $c->store->get(session => $sid) or return undef;
  my $user    = $c->dir->user($session->{user_id});
  return $user && !$c->dir->is_blocked($user) ? $session : undef;
}

sub _deny ($c, $id, $tx) {
  $c->store->remove(tx => $id);
  return respond($c, $tx,
    {error => 'access_denied', error_description => 'User did not authorize the request', state => $tx->{state}});
}

sub _show_login ($c, $tx, $status, $message) {
  return $c->render(
    template => 'login',
    status   => $status,
    tx_id    => $c->param('state'),
    tx       => $tx,
    client   => $c->dir->client($tx->{client_id}),
    org      => $c->dir->organization($tx->{org_id}),
    logins   => $c->dir->demo_logins,
    message  => $message,
  );
}

1;
