package FakeTenant::MFA;

# Multi-factor authentication as Auth0's MFA API does it: the mfa_required
# answer with an mfa_token, /mfa/challenge, /mfa/associate,
# /mfa/authenticators, and the mfa-otp, mfa-oob and mfa-recovery-code grants.
# OTP codes are real TOTP (RFC 6238: SHA-1, 6 digits, 30 s, one step of
# tolerance each way) computed on the tenant clock.

use Mojo::Base 'Mojolicious::Controller', -signatures;

use Crypt::Mac::HMAC qw(hmac);
use Crypt::PRNG qw(random_bytes);
use FakeTenant::ClientAuth;
use FakeTenant::Grants;
use FakeTenant::Util qw(random_digits random_token scope_list);
use Mojo::URL;

my $B32          = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
my $OOB_LIFETIME = 300;
my $GRANT        = 'http://auth0.com/oauth/grant-type';

sub routes ($class, $r) {
  $r->post('/mfa/challenge')->to('MFA#challenge');
  $r->post('/mfa/associate')->to('MFA#associate');
  $r->get('/mfa/authenticators')->to('MFA#list');
  $r->delete('/mfa/authenticators/<#id>')->to('MFA#remove');
}

sub grants ($class) {
  return {"$GRANT/mfa-otp" => \&_otp_grant, "$GRANT/mfa-oob" => \&_oob_grant, "$GRANT/mfa-recovery-code" => \&_recovery_grant};
}

# ---- TOTP ------------------------------------------------------------------

sub base32_decode ($text) {
  $text = uc($text // '') =~ s/[\s=]//gr;
  return undef if $text =~ /[^$B32]/;
  my $bits = join '', map { sprintf '%05b', index($B32, $_) } split //, $text;
  return pack 'B*', substr($bits, 0, length($bits) - length($bits) % 8);
}

sub base32_encode ($bytes) {
  my $bits = unpack 'B*', $bytes;
  $bits .= '0' x (-length($bits) % 5);
  return join '', map { substr($B32, oct("0b$_"), 1) } $bits =~ /(.{5})/g;
}

sub totp ($secret, $time) {
  my $key  = base32_decode($secret) // return undef;
  my $hash = hmac('SHA1', $key, pack('Q>', int($time / 30)));
  my $at   = ord(substr $hash, -1) & 0x0f;
  return sprintf '%06d', (unpack('N', substr $hash, $at, 4) & 0x7fffffff) % 1_000_000;
}

# The user's first OTP authenticator, or undef.
sub otp_authenticator ($user) {
  return (grep { $_->{authenticator_type} eq 'otp' } @{$user->{mfa}{authenticators} // []})[0];
}

# Accepts the code for the current, previous or next period; confirming
# an authenticator enrolled with /mfa/associate activates it.
sub verify_totp ($tenant, $user, $code) {
  return 0 unless defined $code && $code =~ /^\d{6}$/;
  my $now = $tenant->now;
  for my $auth (grep { $_->{authenticator_type} eq 'otp' } @{$user->{mfa}{authenticators} // []}) {
    next unless grep { (totp($auth->{secret}, $now + 30 * $_) // '') eq $code } -1 .. 1;
    $auth->{active} = 1;
    return 1;
  }
  return 0;
}

# ---- mfa_token -------------------------------------------------------------

# The answer to a password (or similar) login of a user with MFA.
sub require_mfa ($c, $client, $user, $p) {
  my $token = random_token(32);
  $c->store->put(
    mfa_token => $token,
    {
      user_id      => $user->{user_id},
      client_id    => $client->{client_id},
      scope        => $p->{scope},
      audience     => $p->{audience},
      organization => $p->{organization},
    },
    $c->tenant->setting('mfa_token_lifetime')
  );
  return $c->oauth_error(403, 'mfa_required', 'Multifactor authentication required', mfa_token => $token);
}

# The MFA context of an mfa_token: the store entry, or an access token for
# the MFA API (Auth0 accepts either), checked for the needed scope.
sub mfa_context ($c, $token, $scope = undef) {
  return undef unless defined $token;
  my $t = $c->tenant;
  if (my $entry = $t->store->get(mfa_token => $token)) { return {%$entry, token => $token} }
  my ($claims) = $c->tokens->inspect_access_token($token);
  return undef unless $claims;
  my @aud = ref $claims->{aud} ? @{$claims->{aud}} : ($claims->{aud} // ());
  return undef unless grep { $_ eq $t->mfa_audience } @aud;
  return undef if defined $scope && !grep { $_ eq $scope } @{scope_list($claims->{scope})};
  return {user_id => $claims->{sub}, client_id => $claims->{azp}, token => $token};
}

# For the grants: the context of $p->{mfa_token} and its user, or an empty
# list once the error was rendered.
sub _grant_context ($c, $client, $p) {
  my $fail  = sub (@error) { $c->oauth_error(@error); return () };
  my $token = $p->{mfa_token};
  return $fail->(400, 'invalid_request', 'Missing required parameter: mfa_token') unless defined $token;
  my $ctx = mfa_context($c, $token);
  if (!$ctx) {
    return $fail->(403, 'expired_token', 'mfa_token is expired') if $c->store->peek(mfa_token => $token);
    return $fail->(403, 'invalid_grant', 'Malformed mfa_token');
  }
  return $fail->(403, 'invalid_grant', 'Malformed mfa_token') unless ($ctx->{client_id} // '') eq $client->{client_id};
  my $user = $c->dir->user($ctx->{user_id}) or return $fail->(403, 'invalid_grant', 'Malformed mfa_token');
  return ($ctx, $user);
}

sub _finish_login ($c, $client, $ctx, $user, %extra) {
  $c->store->remove(mfa_token => $ctx->{token});
  my %p = map { $_ => $ctx->{$_} } grep { defined $ctx->{$_} } qw(scope audience organization);
  return FakeTenant::Grants::login_user($c, $client, $user, \%p, gty => 'mfa', %extra);
}

# ---- grants ----------------------------------------------------------------

sub _otp_grant ($c, $client, $p) {
  my ($ctx, $user) = _grant_context($c, $client, $p) or return;
  return $c->oauth_error(400, 'invalid_request', 'Missing required parameter: otp') unless defined $p->{otp};
  return $c->oauth_error(403, 'invalid_grant', 'Invalid otp_code.') unless verify_totp($c->tenant, $user, $p->{otp});
  return _finish_login($c, $client, $ctx, $user);
}

sub _oob_grant ($c, $client, $p) {
  my ($ctx, $user) = _grant_context($c, $client, $p) or return;
  return $c->oauth_error(400, 'invalid_request', 'Missing required parameter: oob_code') unless defined $p->{oob_code};
  my $oob = $c->store->get(oob => $p->{oob_code});
  return $c->oauth_error(403, 'invalid_grant', 'Invalid oob_code.') unless $oob && $oob->{user_id} eq $user->{user_id};
  return $c->oauth_error(400, 'authorization_pending', 'Authorization pending: please repeat the request in a few seconds.')
    unless defined $p->{binding_code};
  return $c->oauth_error(403, 'invalid_grant', 'Invalid binding_code.') unless $p->{binding_code} eq $oob->{binding_code};
  $c->store->remove(oob => $p->{oob_code});
  $_->{active} = 1 for grep { $_->{id} eq $oob->{authenticator_id} } @{$c->dir->mfa_authenticators($user)};
  return _finish_login($c, $client, $ctx, $user);
}

sub _recovery_grant ($c, $client, $p) {
  my ($ctx, $user) = _grant_context($c, $client, $p) or return;
  return $c->oauth_error(400, 'invalid_request', 'Missing required parameter: recovery_code') unless defined $p->{recovery_code};
  my ($auth) = grep { $_->{authenticator_type} eq 'recovery-code' } @{$c->dir->mfa_authenticators($user)};
  return $c->oauth_error(403, 'invalid_grant', 'Invalid recovery_code.')
    unless $auth && uc($p->{recovery_code} =~ s/\s+//gr) eq $auth->{code};
  # A recovery code works once; the answer carries its replacement.
  $auth->{code} = _new_recovery_code();
  return _finish_login($c, $client, $ctx, $user, add => {recovery_code => $auth->{code}});
}

sub _new_recovery_code () { base32_encode(random_bytes(15)) =~ s/[^A-Z2-7]//gr }

# ---- endpoints -------------------------------------------------------------

sub challenge ($c) {
  my $p = $c->body_params or return;
  my $client = FakeTenant::ClientAuth::authenticate($c, $p) or return;
  my ($ctx, $user) = _grant_context($c, $client, $p) or return;
  my %wanted = map { $_ => 1 } @{scope_list($p->{challenge_type} // 'otp oob')};
  my @auths  = grep { $_->{active} } @{$c->dir->mfa_authenticators($user)};
  if (defined $p->{authenticator_id}) {
    @auths = grep { $_->{id} eq $p->{authenticator_id} } @auths;
    return $c->oauth_error(400, 'invalid_request', 'Unknown authenticator_id') unless @auths;
  }
  if ($wanted{otp} && grep { $_->{authenticator_type} eq 'otp' } @auths) {
    return $c->render(json => {challenge_type => 'otp'});
  }
  my ($sms) = grep { $_->{authenticator_type} eq 'oob' } @auths;
  if ($wanted{oob} && $sms) {
    return $c->render(json => {challenge_type => 'oob', binding_method => 'prompt', oob_code => _send_oob($c, $user, $sms)});
  }
  return $c->oauth_error(400, 'unsupported_challenge_type', 'User is not enrolled with an authenticator of the requested type');
}

# Sends an SMS binding code (to the outbox) and returns the oob_code.
sub _send_oob ($c, $user, $authenticator) {
  my $oob_code = random_token(24);
  my $binding  = random_digits(6);
  $c->store->put(
    oob => $oob_code,
    {user_id => $user->{user_id}, binding_code => $binding, authenticator_id => $authenticator->{id}},
    $OOB_LIFETIME
  );
  $c->tenant->send_message(
    channel      => 'sms',
    kind         => 'mfa-binding-code',
    to           => $authenticator->{phone_number},
    user_id      => $user->{user_id},
    binding_code => $binding,
    oob_code     => $oob_code,
  );
  return $oob_code;
}

sub associate ($c) {
  my $ctx = _bearer_context($c, 'enroll') or return;
  my $p   = $c->body_params or return;
  my $dir  = $c->dir;
  my $user = $dir->user($ctx->{user_id}) or return _unauthorized($c, 'Unknown user');
  my ($type) = @{ref $p->{authenticator_types} ? $p->{authenticator_types} : scope_list($p->{authenticator_types})};
  return $c->oauth_error(400, 'invalid_request', 'authenticator_types must be ["otp"] or ["oob"]')
    unless defined $type && $type =~ /^(?:otp|oob)$/;
  my $auths = $dir->mfa_authenticators($user);
  my $tag   = random_token(9) =~ s/[^A-Za-z0-9]//gr;
  my @recovery;
  unless (grep { $_->{authenticator_type} eq 'recovery-code' } @$auths) {
    push @$auths, {id => "recovery-code|dev_$tag", authenticator_type => 'recovery-code', code => _new_recovery_code(), active => 1};
    @recovery = ($auths->[-1]{code});
  }
  if ($type eq 'otp') {
    my $secret = base32_encode(random_bytes(20));
    push @$auths, {id => "totp|dev_$tag", authenticator_type => 'otp', secret => $secret, active => 0};
    my $label = Mojo::URL->new('otpauth://totp/')->path('fake-tenant:' . ($user->{email} // $user->{user_id}));
    $label->query(secret => $secret, issuer => 'fake-tenant', algorithm => 'SHA1', digits => 6, period => 30);
    return $c->render(json =>
        {authenticator_type => 'otp', secret => $secret, barcode_uri => $label->to_string, recovery_codes => \@recovery});
  }
  my $channels = ref $p->{oob_channels} ? $p->{oob_channels} : scope_list($p->{oob_channels});
  return $c->oauth_error(400, 'invalid_request', 'oob_channels must be ["sms"]') unless grep { $_ eq 'sms' } @$channels;
  return $c->oauth_error(400, 'invalid_request', 'phone_number must be in E.164 format')
    unless ($p->{phone_number} // '') =~ /^\+\d{6,15}$/;
  push @$auths,
    {id => "sms|dev_$tag", authenticator_type => 'oob', oob_channel => 'sms', phone_number => $p->{phone_number}, active => 0};
  return $c->render(json => {
    authenticator_type => 'oob',
    binding_method     => 'prompt',
    oob_channel        => 'sms',
    oob_code           => _send_oob($c, $user, $auths->[-1]),
    recovery_codes     => \@recovery,
  });
}

sub list ($c) {
  my $ctx  = _bearer_context($c, 'read:authenticators') or return;
  my $user = $c->dir->user($ctx->{user_id}) or return _unauthorized($c, 'Unknown user');
  return $c->render(json => [map { _authenticator_view($_) } @{$c->dir->mfa_authenticators($user)}]);
}

sub remove ($c) {
  my $ctx   = _bearer_context($c, 'remove:authenticators') or return;
  my $user  = $c->dir->user($ctx->{user_id}) or return _unauthorized($c, 'Unknown user');
  my $auths = $c->dir->mfa_authenticators($user);
  my $id    = $c->param('id');
  return $c->oauth_error(404, 'not_found', 'Authenticator not found') unless grep { $_->{id} eq $id } @$auths;
  @$auths = grep { $_->{id} ne $id } @$auths;
  return $c->rendered(204);
}

sub _authenticator_view ($auth) {
  my %view = (id => $auth->{id}, authenticator_type => $auth->{authenticator_type}, active => $auth->{active} ? \1 : \0);
  if ($auth->{oob_channel}) {
    $view{oob_channel} = $auth->{oob_channel};
    $view{name}        = substr($auth->{phone_number}, 0, 2) . 'XXXXXX' . substr($auth->{phone_number}, -4);
  }
  return \%view;
}

sub _bearer_context ($c, $scope) {
  my ($token) = ($c->req->headers->authorization // '') =~ /^Bearer\s+(\S+)$/i;
  return _unauthorized($c, 'Missing Bearer token') unless defined $token;
  return mfa_context($c, $token, $scope) // _unauthorized($c, "Invalid or expired token, or missing scope $scope");
}

sub _unauthorized ($c, $description) {
  $c->res->headers->www_authenticate(qq{Bearer error="invalid_token", error_description="$description"});
  return $c->oauth_error(401, 'invalid_token', $description);
}

1;
