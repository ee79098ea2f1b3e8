package FakeTenant::Grants;

# POST /oauth/token (dispatch to the grant handlers of every module), the
# core grants (authorization_code, refresh_token, client_credentials,
# password, password-realm, token-exchange), token issuance shared by all
# grants, and POST /oauth/revoke.

use Mojo::Base 'Mojolicious::Controller', -signatures;

use Crypt::Digest::SHA256 qw(sha256);
use FakeTenant::ClientAuth;
use FakeTenant::MFA;
use FakeTenant::Util qw(b64url random_token scope_list);

my $DB_CONNECTION = 'Username-Password-Authentication';
my %OIDC_SCOPES   = map { $_ => 1 } qw(openid profile email phone address offline_access);

sub routes ($class, $r) {
  $r->post('/oauth/token')->to('Grants#token');
  $r->post('/oauth/revoke')->to('Grants#revoke');
}

sub grants ($class) {
  return {
    authorization_code                                => \&_authorization_code,
    refresh_token                                     => \&_refresh_token,
    client_credentials                                => \&_client_credentials,
    password                                          => \&_password,
    'http://auth0.com/oauth/grant-type/password-realm' => \&_password,
    'urn:ietf:params:oauth:grant-type:token-exchange' => \&_token_exchange,
  };
}

# Grants a client without a secret may use ("none" authentication).
my %PUBLIC_GRANTS = map { $_ => 1 } (
  'authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code',
  'http://auth0.com/oauth/grant-type/passwordless/otp',
);

sub token ($c) {
  my $p = $c->body_params or return;
  my $type = $p->{grant_type};
  return $c->oauth_error(400, 'invalid_request', 'Missing required parameter: grant_type') unless defined $type;
  my $handler = $c->app->grant_handler($type)
    or return $c->oauth_error(400, 'unsupported_grant_type', "Unsupported grant type: $type");
  my $base   = $c->tenant->base_url;
  my $client = FakeTenant::ClientAuth::authenticate(
    $c, $p,
    optional  => $type eq 'urn:ietf:params:oauth:grant-type:device_code',
    audiences => ["$base/oauth/token"]
  ) or return;
  return $c->oauth_error(401, 'access_denied', 'Unauthorized')
    if $c->stash('client_auth_method') eq 'none' && $c->dir->client_is_public($client) && !$PUBLIC_GRANTS{$type};
  return $c->oauth_error(403, 'unauthorized_client', "Grant type '$type' not allowed for the client.",
    error_uri => 'https://auth0.com/docs/clients/client-grant-types')
    unless $c->dir->client_has_grant($client, $type)
    || ($type eq 'http://auth0.com/oauth/grant-type/password-realm' && $c->dir->client_has_grant($client, 'password'));
  return $handler->($c, $client, $p);
}

# ---- token issuance --------------------------------------------------------

# The scopes granted for a user: OIDC scopes as asked (offline_access only
# where refresh tokens are possible), API scopes limited to those the API
# defines and, with RBAC enforced, to the user's permissions.
sub granted_scopes ($c, $client, $user, $requested, $api, $org) {
  my $dir = $c->dir;
  my %api_scopes = $api ? map { $_ => 1 } @{$dir->api_scopes($api)} : ();
  my %allowed
    = ($api && $api->{enforce_policies} && $user)
    ? map { $_ => 1 } @{$dir->user_permissions($user->{user_id}, $api->{identifier}, $org ? $org->{id} : undef)}
    : %api_scopes;
  my $offline = $dir->client_has_grant($client, 'refresh_token') && (!$api || $api->{allow_offline_access});
  return [
    grep {
      $_ eq 'offline_access' ? $offline : $OIDC_SCOPES{$_} || ($api_scopes{$_} && $allowed{$_})
    } @{scope_list($requested)}
  ];
}

# Issues the token response.  %ctx: client, user, scope (requested string),
# audience, org, nonce, auth_time, sid, gty, code (entry whose tokens a code
# replay revokes), family (refresh token family when rotating), no_refresh
# (the refresh grant issues refresh tokens itself).
# Returns the response hash (the caller renders it).
sub issue_tokens ($c, %ctx) {
  my ($t, $dir, $tokens) = ($c->tenant, $c->dir, $c->tokens);
  my ($client, $user) = @ctx{qw(client user)};
  my $api    = $dir->api($ctx{audience});
  my $scopes = granted_scopes($c, $client, $user, $ctx{scope}, $api, $ctx{org});
  my %set    = map { $_ => 1 } @$scopes;

  my ($access, $lifetime);
  if ($api) {
    ($access, $lifetime) = $tokens->access_token(
      client      => $client,
      api         => $api,
      sub         => $user->{user_id},
      user        => $user,
      scopes      => $scopes,
      org         => $ctx{org},
      gty         => $ctx{gty},
      permissions => ($api->{token_dialect} // '') eq 'access_token_authz'
      ? $dir->user_permissions($user->{user_id}, $api->{identifier}, $ctx{org} ? $ctx{org}{id} : undef)
      : undef,
    );
  }
  else {
    ($access, $lifetime) = $tokens->opaque_access_token(client => $client, sub => $user->{user_id}, scopes => $scopes);
    push @{$ctx{code}{issued}{access_tokens}}, $access if $ctx{code};
  }
  my %response = (access_token => $access, expires_in => $lifetime + 0, token_type => 'Bearer', scope => join(' ', @$scopes));
  $response{id_token} = $tokens->id_token(
    client    => $client,
    user      => $user,
    scopes    => \%set,
    nonce     => $ctx{nonce},
    auth_time => $ctx{auth_time},
    sid       => $ctx{sid},
    org       => $ctx{org},
    mfa       => $ctx{mfa},
  ) if $set{openid};
  if ($set{offline_access} && !$ctx{no_refresh}) {
    $response{refresh_token} = new_refresh_token($c, %ctx, scope => join(' ', @$scopes));
    push @{$ctx{code}{issued}{refresh_tokens}}, $response{refresh_token} if $ctx{code};
  }
  return \%response;
}

sub new_refresh_token ($c, %ctx) {
  my $token    = random_token(32);
  my $lifetime = $c->tenant->setting('refresh_token_lifetime');
  $c->store->put(
    refresh_token => $token,
    {
      client_id => $ctx{client}{client_id},
      user_id   => $ctx{user}{user_id},
      scope     => $ctx{scope},
      audience  => $ctx{audience},
      org_id    => $ctx{org} ? $ctx{org}{id} : undef,
      auth_time => $ctx{auth_time},
      sid       => $ctx{sid},
      family    => $ctx{family} // $token,
    },
    $lifetime
  );
  return $token;
}

sub render_tokens ($c, $response) {
  $c->res->headers->cache_control('no-store');
  $c->res->headers->header(Pragma => 'no-cache');
  return $c->render(json => $response);
}

# An audience, when given, must be a known API; false once the error is rendered.
sub check_audience ($c, $audience) {
  return 1 if !defined $audience || !length $audience || $c->dir->api($audience);
  $c->oauth_error(403, 'access_denied', "Service not found: $audience");
  return 0;
}

# ---- grants ----------------------------------------------------------------

sub _authorization_code ($c, $client, $p) {
  my $code = $p->{code};
  return $c->oauth_error(400, 'invalid_request', 'Missing required parameter: code') unless defined $code;
  my $entry = $c->store->peek(code => $code);
  my $invalid = sub { $c->oauth_error(403, 'invalid_grant', 'Invalid authorization code') };
  return $invalid->() unless $entry && $entry->{client_id} eq $client->{client_id};
  if ($entry->{used}) {
    # Replay: as Auth0 does, revoke what the first exchange issued.
    $c->store->remove(refresh_token => $_) for @{$entry->{issued}{refresh_tokens}};
    $c->store->remove(access_token  => $_) for @{$entry->{issued}{access_tokens}};
    return $invalid->();
  }
  return $invalid->() if $c->store->expired($entry);
  $entry->{used} = 1;    # any exchange attempt uses the code up

  return $c->oauth_error(403, 'invalid_grant', 'redirect_uri does not match the one used at /authorize')
    unless ($p->{redirect_uri} // '') eq $entry->{redirect_uri};
  if (defined $entry->{code_challenge}) {
    my $verifier = $p->{code_verifier} // '';
    my $computed = $entry->{code_challenge_method} eq 'S256' ? b64url(sha256($verifier)) : $verifier;
    return $c->oauth_error(403, 'invalid_grant', 'Failed to verify code verifier')
      unless $verifier =~ /^[A-Za-z0-9._~-]{43,128}$/ && $computed eq $entry->{code_challenge};
  }
  elsif (defined $p->{code_verifier}) {
    return $c->oauth_error(403, 'invalid_grant', 'code_verifier sent but no code_challenge was used at /authorize');
  }
  my $user = $c->dir->user($entry->{user_id}) or return $invalid->();
  return $c->oauth_error(401, 'unauthorized', 'user is blocked') if $c->dir->is_blocked($user);
  return render_tokens(
    $c,
    issue_tokens(
      $c,
      client    => $client,
      user      => $user,
      scope     => $entry->{scope},
      audience  => $entry->{audience},
      org       => $c->dir->organization($entry->{org_id}),
      nonce     => $entry->{nonce},
      auth_time => $entry->{auth_time},
      sid       => $entry->{sid},
      mfa       => $entry->{mfa},
      code      => $entry,
    )
  );
}

sub _refresh_token ($c, $client, $p) {
  my $token = $p->{refresh_token};
  return $c->oauth_error(400, 'invalid_request', 'Missing required parameter: refresh_token') unless defined $token;
  my $store = $c->store;
  my $entry = $store->get(refresh_token => $token);
  my $invalid = sub { $c->oauth_error(403, 'invalid_grant', 'Unknown or invalid refresh token.') };
  return $invalid->() unless $entry && $entry->{client_id} eq $client->{client_id};
  if ($entry->{rotated}) {
    # Reuse of a rotated token: revoke the whole family (Auth0 reuse detection).
    $store->remove(refresh_token => $_->[0]) for grep { $_->[1]{family} eq $entry->{family} } @{$store->entries('refresh_token')};
    return $invalid->();
  }
  my $user = $c->dir->user($entry->{user_id}) or return $invalid->();
  return $c->oauth_error(401, 'unauthorized', 'user is blocked') if $c->dir->is_blocked($user);

  my $scope = $entry->{scope};
  if (defined $p->{scope}) {
    my %had = map { $_ => 1 } @{scope_list($scope)};
    my @bad = grep { !$had{$_} } @{scope_list($p->{scope})};
    return $c->oauth_error(403, 'invalid_scope', "Scope not granted by the original request: @bad") if @bad;
    $scope = $p->{scope};
  }
  my $rotation = $c->tenant->setting('refresh_token_rotation')
    // (($client->{refresh_token}{rotation_type} // 'non-rotating') eq 'rotating');
  my $response = issue_tokens(
    $c,
    client    => $client,
    user      => $user,
    scope      => $scope,
    audience   => $entry->{audience},
    org        => $c->dir->organization($entry->{org_id}),
    auth_time  => $entry->{auth_time},
    sid        => $entry->{sid},
    no_refresh => 1,
  );
  if ($rotation) {
    $entry->{rotated} = 1;
    $response->{refresh_token} = new_refresh_token(
      $c,
      client    => $client,
      user      => $user,
      scope     => $entry->{scope},
      audience  => $entry->{audience},
      org       => $c->dir->organization($entry->{org_id}),
      auth_time => $entry->{auth_time},
      sid       => $entry->{sid},
      family    => $entry->{family}
    );
  }
  return render_tokens($c, $response);
}

sub _client_credentials ($c, $client, $p) {
  my $dir      = $c->dir;
  my $audience = $p->{audience};
  return $c->oauth_error(403, 'access_denied', 'No audience parameter was provided, and no default audience has been configured')
    unless defined $audience && length $audience;
  my $api = $dir->api($audience)
    or return $c->oauth_error(403, 'access_denied', "Service not enabled within domain: $audience");
  my $grant = $dir->client_grant($client->{client_id}, $audience)
    or return $c->oauth_error(403, 'access_denied',
    qq{Client is not authorized to access "$audience". You need to create a "client-grant" associated to this API. }
      . 'See: https://auth0.com/docs/api/v2#!/Client_Grants/post_client_grants');
  my $org;
  if (defined $p->{organization} && length $p->{organization}) {
    $org = $dir->resolve_organization($p->{organization})
      or return $c->oauth_error(400, 'invalid_request', "parameter organization is invalid: $p->{organization}");
    return $c->oauth_error(403, 'access_denied', "Client is not authorized to access organization $org->{id}")
      unless grep { $_ eq $org->{id} } @{$grant->{organizations} // []};
  }
  my @scopes = @{$grant->{scope}};
  if (defined $p->{scope}) {
    my %asked = map { $_ => 1 } @{scope_list($p->{scope})};
    @scopes = grep { $asked{$_} } @scopes;
  }
  my ($token, $lifetime) = $c->tokens->access_token(
    client      => $client,
    api         => $api,
    sub         => "$client->{client_id}\@clients",
    scopes      => \@scopes,
    org         => $org,
    gty         => 'client-credentials',
    permissions => ($api->{token_dialect} // '') eq 'access_token_authz' ? \@scopes : undef,
  );
  return render_tokens($c, {access_token => $token, scope => join(' ', @scopes), expires_in => $lifetime + 0, token_type => 'Bearer'});
}

sub _password ($c, $client, $p) {
  my $dir = $c->dir;
  for my $name (qw(username password)) {
    return $c->oauth_error(400, 'invalid_request', "Missing required parameter: $name") unless defined $p->{$name};
  }
  my $realm = $DB_CONNECTION;
  if ($p->{grant_type} =~ /password-realm$/) {
    $realm = $p->{realm} // return $c->oauth_error(400, 'invalid_request', 'Missing required parameter: realm');
    my $conn = $dir->client_connection($client, $realm);
    return $c->oauth_error(400, 'invalid_request', "Realm $realm is not a database connection enabled for this client")
      unless $conn && $conn->{strategy} eq 'auth0';
  }
  return unless check_audience($c, $p->{audience});
  my $user = $dir->user_by_login($p->{username}, $realm);
  return $c->oauth_error(403, 'invalid_grant', 'Wrong email or password.')
    unless $user && $dir->check_password($user, $p->{password});
  return $c->oauth_error(401, 'unauthorized', 'user is blocked') if $dir->is_blocked($user);
  return FakeTenant::MFA::require_mfa($c, $client, $user, $p) if $dir->user_has_mfa($user);
  return login_user($c, $client, $user, $p, gty => 'password');
}

# Custom Token Exchange: a profile names the subject_token_type; ours
# resolves the subject token (an e-mail address) to a database user, the
# job an Auth0 Action would do.
sub _token_exchange ($c, $client, $p) {
  for my $name (qw(subject_token subject_token_type)) {
    return $c->oauth_error(400, 'invalid_request', "Missing required parameter: $name") unless defined $p->{$name};
  }
  $c->dir->token_exchange_profile($p->{subject_token_type})
    or return $c->oauth_error(400, 'invalid_request', "Unsupported subject_token_type: $p->{subject_token_type}");
  return unless check_audience($c, $p->{audience});
  my $user = $c->dir->user_by_email($p->{subject_token}, $DB_CONNECTION)
    or return $c->oauth_error(400, 'invalid_request', 'Invalid subject_token');
  return $c->oauth_error(401, 'unauthorized', 'user is blocked') if $c->dir->is_blocked($user);
  return login_user($c, $client, $user, $p, gty => 'token-exchange');
}

# Tokens for a user who just authenticated at the token endpoint (password,
# OTP, MFA, token exchange, CIBA, device): new auth_time and session id.
# %extra: more issue_tokens context; "add" holds fields for the response.
sub login_user ($c, $client, $user, $p, %extra) {
  my $add = delete $extra{add} // {};
  my $org;
  if (defined $p->{organization} && length $p->{organization}) {
    $org = $c->dir->resolve_organization($p->{organization})
      or return $c->oauth_error(400, 'invalid_request', "parameter organization is invalid: $p->{organization}");
    return $c->oauth_error(403, 'access_denied', "user $user->{user_id} is not part of the $org->{id} organization")
      unless $c->dir->is_member($org, $user->{user_id});
  }
  $c->dir->record_login($user);
  my $response = issue_tokens(
    $c,
    client    => $client,
    user      => $user,
    scope     => $p->{scope},
    audience  => $p->{audience},
    org       => $org,
    auth_time => $c->tenant->now,
    sid       => random_token(24),
    %extra,
  );
  return render_tokens($c, {%$response, %$add});
}

# RFC 7009: only refresh tokens can be revoked; unknown tokens are not an error.
sub revoke ($c) {
  my $p = $c->body_params or return;
  my $base   = $c->tenant->base_url;
  my $client = FakeTenant::ClientAuth::authenticate($c, $p, audiences => ["$base/oauth/revoke"]) or return;
  my $token  = $p->{token};
  return $c->oauth_error(400, 'invalid_request', 'Missing required parameter: token') unless defined $token;
  my $entry = $c->store->get(refresh_token => $token);
  if ($entry) {
    return $c->oauth_error(403, 'invalid_request', 'The refresh token was issued to another client')
      unless $entry->{client_id} eq $client->{client_id};
    $c->store->remove(refresh_token => $token);
  }
  return $c->rendered(200);
}

1;
