package FakeTenant::OIDC;

# OpenID Connect around the token endpoint: discovery, JWKS, /userinfo and
# the two logout endpoints (Auth0's /v2/logout and RP-initiated /oidc/logout).

use Mojo::Base 'Mojolicious::Controller', -signatures;

use Crypt::JWT qw(decode_jwt);
use FakeTenant::OAuth;
use FakeTenant::Tokens;
use FakeTenant::URLMatch qw(url_allowed);
use FakeTenant::Util qw(scope_set);
use Mojo::URL;

sub routes ($class, $r) {
  $r->get('/.well-known/openid-configuration')->to('OIDC#discovery');
  $r->get('/.well-known/jwks.json')->to('OIDC#jwks');
  $r->any(['GET', 'POST'] => '/userinfo')->to('OIDC#userinfo');
  $r->get('/v2/logout')->to('OIDC#v2_logout');
  $r->any(['GET', 'POST'] => '/oidc/logout')->to('OIDC#oidc_logout');
}

sub discovery ($c) {
  my $base = $c->tenant->base_url;
  $c->res->headers->cache_control('public, max-age=15, stale-while-revalidate=15, stale-if-error=86400');
  return $c->render(json => {
    issuer                                => "$base/",
    authorization_endpoint                => "$base/authorize",
    token_endpoint                        => "$base/oauth/token",
    device_authorization_endpoint         => "$base/oauth/device/code",
    userinfo_endpoint                     => "$base/userinfo",
    mfa_challenge_endpoint                => "$base/mfa/challenge",
    jwks_uri                              => "$base/.well-known/jwks.json",
    revocation_endpoint                   => "$base/oauth/revoke",
    end_session_endpoint                  => "$base/oidc/logout",
    pushed_authorization_request_endpoint => "$base/oauth/par",
    backchannel_authentication_endpoint   => "$base/bc-authorize",
    require_pushed_authorization_requests => \0,
    scopes_supported                      => [
      qw(openid profile offline_access name given_name family_name nickname email email_verified picture created_at
        identities phone address)
    ],
    response_types_supported                   => ['code'],
    code_challenge_methods_supported           => ['S256', 'plain'],
    response_modes_supported                   => ['query', 'fragment', 'form_post'],
    subject_types_supported                    => ['public'],
    id_token_signing_alg_values_supported      => ['HS256', 'RS256', 'PS256'],
    token_endpoint_auth_methods_supported      => ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported => ['RS256', 'RS384', 'PS256', 'ES256'],
    grant_types_supported                      => $c->app->grant_types,
    claims_supported                           => [
      qw(aud auth_time created_at email email_verified exp family_name given_name iat identities iss name nickname
        phone_number picture sub)
    ],
    request_uri_parameter_supported              => \0,
    request_parameter_supported                  => \0,
    backchannel_token_delivery_modes_supported   => ['poll'],
    backchannel_logout_supported                 => \1,
    backchannel_logout_session_supported         => \1,
    frontchannel_logout_supported                => \0,
  });
}

sub jwks ($c) {
  $c->res->headers->cache_control('public, max-age=15, stale-while-revalidate=15, stale-if-error=86400');
  my $jwks = $c->app->keys->jwks;
  # Auth0's tenant flag remove_alg_from_jwks (Dashboard: "Include Signing Algorithms in JSON Web Key
  # Set" off): keys without "alg", so that verifiers that honour it accept PS256 as well as RS256.
  if ($c->tenant->setting('remove_alg_from_jwks')) { delete $_->{alg} for @{$jwks->{keys}} }
  return $c->render(json => $jwks);
}

sub userinfo ($c) {
  my ($token) = ($c->req->headers->authorization // '') =~ /^Bearer\s+(\S+)$/i;
  return _userinfo_denied($c, 'invalid_request', 'Missing Bearer token') unless defined $token;
  # signed as its API signs (RS256, or PS256 for an API set to it)
  my ($claims, $reason) = $c->tokens->inspect_access_token($token, $c->tokens->access_token_alg($token));
  return _userinfo_denied($c, 'invalid_token', $reason) unless $claims;
  my $userinfo = $c->tenant->base_url . '/userinfo';
  my @aud      = ref $claims->{aud} ? @{$claims->{aud}} : ($claims->{aud} // ());
  return _userinfo_denied($c, 'invalid_token', 'The token audience does not include /userinfo') unless grep { $_ eq $userinfo } @aud;
  my $user = $c->dir->user($claims->{sub}) or return _userinfo_denied($c, 'invalid_token', 'Unknown user');
  return $c->render(json => {%{$c->tokens->profile_claims($user, scope_set($claims->{scope}))}, sub => $user->{user_id}});
}

# Auth0 answers a bad /userinfo token with a plain "Unauthorized".
sub _userinfo_denied ($c, $error, $description) {
  $c->res->headers->www_authenticate(
    sprintf 'Bearer realm="%s", error="%s", error_description="%s"', $c->tenant->base_url . '/', $error, $description);
  return $c->render(text => 'Unauthorized', status => 401);
}

sub v2_logout ($c) {
  my $return_to = $c->param('returnTo');
  my $client_id = $c->param('client_id');
  my $allowed   = $c->dir->tenant->{allowed_logout_urls};
  if (defined $client_id) {
    my $client = $c->dir->client($client_id) or return $c->error_page(400, 'invalid_request', "Unknown client: $client_id");
    $allowed = $client->{allowed_logout_urls};
  }
  if (defined $return_to && length $return_to) {
    return $c->error_page(400, 'invalid_request',
      qq{The "returnTo" querystring parameter "$return_to" is not defined as a valid URL in "Allowed Logout URLs".})
      unless url_allowed($return_to, $allowed, ignore_query => 1);
  }
  FakeTenant::OAuth::end_session($c);
  return $c->redirect_to($return_to) if defined $return_to && length $return_to;
  return $c->render(template => 'logged_out');
}

sub oidc_logout ($c) {
  my $p = $c->req->params->to_hash;
  my $dir = $c->dir;
  my ($client, $hint);
  if (defined $p->{id_token_hint}) {
    ($hint, my $error) = _check_id_token_hint($c, $p->{id_token_hint});
    return $c->error_page(400, 'invalid_request', "Invalid id_token_hint: $error") unless $hint;
    $client = $dir->client($hint->{aud});
  }
  if (defined $p->{client_id}) {
    return $c->error_page(400, 'invalid_request', 'client_id does not match the id_token_hint audience')
      if $client && $client->{client_id} ne $p->{client_id};
    $client //= $dir->client($p->{client_id}) // return $c->error_page(400, 'invalid_request', "Unknown client: $p->{client_id}");
  }
  my $target = $p->{post_logout_redirect_uri};
  if (defined $target) {
    return $c->error_page(400, 'invalid_request', 'post_logout_redirect_uri requires id_token_hint or client_id') unless $client;
    return $c->error_page(400, 'invalid_request', qq{post_logout_redirect_uri "$target" is not an allowed logout URL})
      unless url_allowed($target, $client->{allowed_logout_urls}, ignore_query => 1);
  }
  # logout_hint names the session (sid) to end; the hint token's sid too.
  for my $sid (grep {defined} $p->{logout_hint}, $hint ? $hint->{sid} : undef) { $c->store->remove(session => $sid) }
  FakeTenant::OAuth::end_session($c);
  return $c->render(template => 'logged_out') unless defined $target;
  my $url = Mojo::URL->new($target);
  $url->query->merge(state => $p->{state}) if defined $p->{state};
  return $c->redirect_to($url);
}

# An ID token this tenant issued (it may have expired).  Returns
# ($claims) or (undef, reason).
sub _check_id_token_hint ($c, $token) {
  my $unverified = eval { decode_jwt(token => $token, ignore_signature => 1, verify_exp => 0, verify_nbf => 0) };
  return (undef, 'not a JWT') unless ref $unverified eq 'HASH';
  my $client = $c->dir->client(ref $unverified->{aud} ? $unverified->{aud}[0] : $unverified->{aud})
    or return (undef, 'unknown audience');
  # Signed as the client's ID tokens are, and only so.
  my $claims;
  my $alg = FakeTenant::Tokens::id_token_alg($client);
  if ($alg eq 'HS256') {
    $claims = eval { decode_jwt(token => $token, key => $client->{client_secret}, accepted_alg => 'HS256', verify_exp => 0, verify_nbf => 0) };
  }
  else { ($claims) = $c->app->keys->verify($token, $alg) }
  return (undef, 'bad signature') unless ref $claims eq 'HASH';
  return (undef, 'wrong issuer') unless ($claims->{iss} // '') eq $c->tenant->issuer;
  $claims->{aud} = $client->{client_id};
  return ($claims);
}

1;
