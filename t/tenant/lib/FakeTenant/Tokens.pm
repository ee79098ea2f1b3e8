package FakeTenant::Tokens;

# Minting of ID tokens and access tokens with Auth0's claims, the token
# tweaks of POST /__control/tokens, and inspection of the access tokens the
# tenant issued (for /userinfo, the MFA API and the Management API).

use Mojo::Base -base, -signatures;

use FakeTenant::Util qw(b64url_decode random_token);
use Mojo::JSON qw(decode_json);

has 'tenant';
has 'keys';

# Claims released per OIDC scope, in Auth0's names.
my %SCOPE_CLAIMS = (
  profile => [qw(name nickname picture given_name family_name updated_at)],
  email   => [qw(email email_verified)],
  phone   => [qw(phone_number phone_verified)],
);

sub profile_claims ($self, $user, $scopes) {
  my %claims;
  for my $scope (grep { $scopes->{$_} } sort keys %SCOPE_CLAIMS) {
    $claims{$_} = $user->{$_} for grep { exists $user->{$_} } @{$SCOPE_CLAIMS{$scope}};
  }
  return {%claims, %{$self->custom_claims($user)}};
}

# What a typical Auth0 Action adds: the user's role names under a namespace.
sub custom_claims ($self, $user) {
  my $ns = $self->tenant->dir->tenant->{custom_claim_namespace} // 'https://example.com/';
  return {"${ns}roles" => [map { $_->{name} } @{$self->tenant->dir->user_roles($user->{user_id})}]};
}

# %a: client, user, scopes (set), nonce, auth_time, sid, org, mfa
sub id_token ($self, %a) {
  my ($t, $client, $user) = ($self->tenant, $a{client}, $a{user});
  my $now      = $t->now;
  my $lifetime = $t->setting('id_token_lifetime') // $client->{jwt_configuration}{lifetime_in_seconds} // 36000;
  my %claims   = (
    %{$self->profile_claims($user, $a{scopes})},
    iss => $t->issuer,
    sub => $user->{user_id},
    aud => $client->{client_id},
    iat => $now,
    exp => $now + $lifetime,
    defined $a{auth_time} ? (auth_time => $a{auth_time}) : (),
    defined $a{sid}       ? (sid       => $a{sid})       : (),
    (defined $a{nonce} && length $a{nonce}) ? (nonce => $a{nonce}) : (),
    $a{org} ? (org_id => $a{org}{id}, org_name => $a{org}{name}) : (),
    $a{mfa} ? (amr => ['mfa'], acr => 'http://schemas.openid.net/pape/policies/2007/06/multi-factor') : (),
  );
  # The client's JsonWebToken Signature Algorithm: HS256 with its secret, else the current key (RS256
  # unless PS256 is asked for).
  my $alg = id_token_alg($client);
  my ($header, $how)
    = $alg eq 'HS256'
    ? ({typ => 'JWT'}, {alg => 'HS256', secret => $client->{client_secret}})
    : ({typ => 'JWT', kid => $self->keys->current->{kid}}, {alg => $alg});
  return $self->_finish('id', \%claims, $header, $how, $client);
}

# How a client's ID tokens are signed: HS256, PS256, or RS256 (the default, also for what the tenant
# does not implement).
sub id_token_alg ($client) {
  my $alg = $client->{jwt_configuration}{alg} // '';
  return $alg =~ /^(?:HS256|PS256)$/ ? $alg : 'RS256';
}

# %a: client, api, sub, scopes (list), user, org, gty, permissions (list or undef)
# Returns (token, lifetime in seconds).
sub access_token ($self, %a) {
  my ($t, $api, $client) = ($self->tenant, $a{api}, $a{client});
  my $now      = $t->now;
  my $lifetime = $t->setting('access_token_lifetime') // $api->{token_lifetime} // 86400;
  my $openid   = grep { $_ eq 'openid' } @{$a{scopes}};
  my %claims   = (
    $a{user} ? %{$self->custom_claims($a{user})} : (),
    iss   => $t->issuer,
    sub   => $a{sub},
    aud   => $openid ? [$api->{identifier}, $t->base_url . '/userinfo'] : $api->{identifier},
    iat   => $now,
    exp   => $now + $lifetime,
    scope => join(' ', @{$a{scopes}}),
    azp   => $client->{client_id},
    jti   => random_token(16),
    $a{gty} ? (gty => $a{gty}) : (),
    $a{permissions} ? (permissions => $a{permissions}) : (),
    $a{org} ? (org_id => $a{org}{id}, org_name => $a{org}{name}) : (),
  );
  my $how   = {alg => api_alg($api)};
  my $token = $self->_finish('access', \%claims, {typ => 'at+jwt', kid => $self->keys->current->{kid}}, $how, $client);
  return ($token, $lifetime);
}

# How the access tokens of an API are signed, with the current key: its Signing Algorithm PS256, else
# RS256. An API set to HS256 gets RS256 tokens here on purpose: mod_auth0 refuses Auth0BearerSigningAlg
# HS256 at start-up, so no test needs them.
sub api_alg ($api) { ($api->{signing_alg} // '') eq 'PS256' ? 'PS256' : 'RS256' }

# Without an audience Auth0 issues an access token that is only good for
# /userinfo; ours is an opaque random string remembered by the tenant.
sub opaque_access_token ($self, %a) {
  my $t        = $self->tenant;
  my $lifetime = $t->setting('access_token_lifetime') // 86400;
  my $token    = random_token(32);
  $t->store->put(
    access_token => $token,
    {sub => $a{sub}, scope => join(' ', @{$a{scopes}}), client_id => $a{client}{client_id}, exp => $t->now + $lifetime},
    $lifetime
  );
  return ($token, $lifetime);
}

# A logout token (OpenID Connect Back-Channel Logout 1.0) as Auth0 POSTs to
# a client's back-channel logout URI. %a: client, sub, sid (either may be
# undef), claims (changes: undef deletes), header (changes).
sub logout_token ($self, %a) {
  my $t      = $self->tenant;
  my $now    = $t->now;
  my %claims = (
    iss    => $t->issuer,
    aud    => $a{client}{client_id},
    iat    => $now,
    exp    => $now + 120,
    jti    => random_token(16),
    events => {'http://schemas.openid.net/event/backchannel-logout' => {}},
    defined $a{sub} ? (sub => $a{sub}) : (),
    defined $a{sid} ? (sid => $a{sid}) : (),
  );
  my %header = (typ => 'logout+jwt', kid => $self->keys->current->{kid});
  for my $set ([\%claims, $a{claims}], [\%header, $a{header}]) {
    my ($into, $changes) = @$set;
    for my $name (keys %{$changes // {}}) {
      if   (defined $changes->{$name}) { $into->{$name} = $changes->{$name} }
      else                             { delete $into->{$name} }
    }
  }
  return $self->keys->sign(\%header, \%claims, {});
}

# Claims of an access token this tenant issued and that is still valid, or
# (undef, reason). A JWT must be signed with $alg (RS256 or PS256).
sub inspect_access_token ($self, $token, $alg = 'RS256') {
  my $t = $self->tenant;
  return (undef, 'missing token') unless defined $token && length $token;
  if ($token =~ /\./) {
    my ($claims, $err) = $self->keys->verify($token, $alg);
    return (undef, $err) unless $claims;
    return (undef, 'expired') unless ($claims->{exp} // 0) > $t->now;
    return ($claims);
  }
  my $entry = $t->store->get(access_token => $token) or return (undef, 'invalid token');
  return ({%$entry, aud => $t->base_url . '/userinfo', iss => $t->issuer});
}

# The algorithm a JWT access token must be signed with: that of its API (api_alg), the first audience
# naming an API of this tenant (as minted: the API, then /userinfo); RS256 when none does. The audience
# is read unverified, only to choose how to verify: the signature then covers it, and the token's own
# alg header never chooses (a PS256 signature over an RS256 API's audience is refused).
sub access_token_alg ($self, $token) {
  my (undef, $payload) = split /\./, $token // '';
  my $claims = eval { decode_json(b64url_decode($payload // '')) };
  my $aud    = ref $claims eq 'HASH' ? $claims->{aud} : undef;
  for my $identifier (grep { defined && !ref } ref $aud eq 'ARRAY' ? @$aud : ($aud)) {
    my $api = $self->tenant->dir->api($identifier) or next;
    return api_alg($api);
  }
  return 'RS256';
}

# Applies the next pending tweak for this kind of token, then signs.
sub _finish ($self, $kind, $claims, $header, $how, $client) {
  if (my $tweak = $self->tenant->take_tweak($kind)) {
    my $changes = $tweak->{claims} // {};
    for my $name (keys %$changes) {
      if   (defined $changes->{$name}) { $claims->{$name} = $changes->{$name} }
      else                             { delete $claims->{$name} }
    }
    # An ID token with several audiences names its authorized party.
    $claims->{azp} = $client->{client_id}
      if $kind eq 'id' && ref $claims->{aud} eq 'ARRAY' && @{$claims->{aud}} > 1 && !exists $changes->{azp};
    $claims->{exp} += $tweak->{exp_offset} if $tweak->{exp_offset};
    $claims->{iat} += $tweak->{iat_offset} if $tweak->{iat_offset};
    my $extra = $tweak->{header} // {};
    for my $name (keys %$extra) {
      if   (defined $extra->{$name}) { $header->{$name} = $extra->{$name} }
      else                           { delete $header->{$name} }
    }
    $header->{kid} = $tweak->{kid} if defined $tweak->{kid};
    my $alg = $tweak->{alg} // '';
    $how = {alg => 'none'} if $alg eq 'none';
    $how = {alg => 'HS256', secret => $self->keys->public_pem} if $alg eq 'HS256-with-public-key';
    $how = {%$how, bad_signature => 1} if $tweak->{bad_signature};
  }
  return $self->keys->sign($header, $claims, $how);
}

1;
