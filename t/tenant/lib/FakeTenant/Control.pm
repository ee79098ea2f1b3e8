package FakeTenant::Control;

# The test-only control API under /__control/ (JSON).  Requests to it are
# neither counted, recorded nor subject to faults.  See README.md for the
# reference.

use Mojo::Base 'Mojolicious::Controller', -signatures;

use FakeTenant::CIBA;
use FakeTenant::Device;
use FakeTenant::MFA;
use FakeTenant::Passwordless;

my $MAX_BULK   = 100_000;
my $MAX_USERS  = 250_000;
my $MFA_USER   = 'mfa@example.com';
my $DB         = 'Username-Password-Authentication';
my $MAX_TWEAKS = 1000;
my %TWEAK_KEYS = map { $_ => 1 } qw(which times claims exp_offset iat_offset bad_signature alg kid header);

sub routes ($class, $r) {
  my $ctl = $r->any('/__control');
  my $c   = 'Control';
  $ctl->post('/reset')->to("$c#reset");
  $ctl->get('/counters')->to("$c#counters");
  $ctl->delete('/counters')->to("$c#clear_counters");
  $ctl->get('/requests')->to("$c#requests");
  $ctl->get('/faults')->to("$c#faults");
  $ctl->post('/faults')->to("$c#add_faults");
  $ctl->delete('/faults')->to("$c#clear_faults");
  $ctl->get('/gates')->to("$c#gates");
  $ctl->post('/gates')->to("$c#set_gates");
  $ctl->get('/tokens')->to("$c#tweaks");
  $ctl->post('/tokens')->to("$c#add_tweaks");
  $ctl->delete('/tokens')->to("$c#clear_tweaks");
  $ctl->get('/keys')->to("$c#signing_keys");
  $ctl->post('/keys/rotate')->to("$c#rotate");
  $ctl->get('/autologin')->to("$c#get_autologin");
  $ctl->post('/autologin')->to("$c#autologin");
  $ctl->get('/otp')->to("$c#otp");
  $ctl->get('/outbox')->to("$c#outbox");
  $ctl->get('/mfa/totp')->to("$c#totp");
  $ctl->get('/mfa/binding-code')->to("$c#binding_code");
  $ctl->post('/ciba/approve')->to("$c#ciba_approve");
  $ctl->post('/device/approve')->to("$c#device_approve");
  $ctl->get('/settings')->to("$c#settings");
  $ctl->post('/settings')->to("$c#update_settings");
  $ctl->post('/users/bulk')->to("$c#bulk_users");
  $ctl->post('/logout-token')->to("$c#logout_token");
}

sub _bad ($c, $message) { $c->render(status => 400, json => {error => 'bad_request', message => $message}) }

sub _not_found ($c, $message) { $c->render(status => 404, json => {error => 'not_found', message => $message}) }

# A JSON body (object, or array where allowed), or undef once a 400 was rendered.
sub _json ($c, $array_ok = 0) {
  my $body = $c->req->json;
  return $body if ref $body eq 'HASH' || ($array_ok && ref $body eq 'ARRAY');
  _bad($c, 'the body must be a JSON ' . ($array_ok ? 'object or array' : 'object'));
  return undef;
}

sub reset ($c) {
  $c->app->reset_all;
  return $c->render(json => {ok => \1});
}

sub counters ($c) { $c->render(json => $c->app->recorder->counters) }

sub clear_counters ($c) {
  $c->app->recorder->reset_counters;
  return $c->rendered(204);
}

sub requests ($c) {
  my $limit = $c->param('limit') // 50;
  return _bad($c, 'limit must be a positive integer') unless $limit =~ /^\d+$/ && $limit > 0;
  return $c->render(json => $c->app->recorder->requests($c->param('path'), $limit));
}

# ---- faults ----------------------------------------------------------------

sub _fault_view ($rule) { return {%$rule, times => $rule->{times} // 1} }

sub faults ($c) { $c->render(json => [map { _fault_view($_) } @{$c->app->faults->rules}]) }

sub add_faults ($c) {
  my $body  = _json($c, 1) // return;
  my $specs = ref $body eq 'ARRAY' ? $body : $body->{rules} // [$body];
  my $faults = $c->app->faults;
  my @added;
  for my $spec (@$specs) {
    my ($rule, $error) = $faults->add($spec);
    return _bad($c, "fault rule " . (@added + 1) . ": $error") unless $rule;
    push @added, $rule;
  }
  return $c->render(status => 201, json => [map { _fault_view($_) } @added]);
}

sub clear_faults ($c) {
  $c->app->faults->clear;
  return $c->rendered(204);
}

sub gates ($c) { $c->render(json => $c->app->faults->gate_view) }

# {"open": NAME} or {"close": NAME}: the gates after the change.
sub set_gates ($c) {
  my $body = _json($c) // return;
  my ($what) = grep { defined $body->{$_} } qw(open close);
  return _bad($c, 'give "open" or "close" with a gate name')
    unless $what && keys %$body == 1 && !ref $body->{$what} && $body->{$what} =~ /^[\w-]{1,64}$/;
  my $faults = $c->app->faults;
  my $gate = $what eq 'open' ? $faults->open_gate($body->{$what}) : $faults->close_gate($body->{$what});
  return _bad($c, 'too many gates') unless $gate;
  return $c->render(json => $faults->gate_view);
}

# ---- token tweaks ------------------------------------------------------------

sub tweaks ($c) { $c->render(json => $c->tenant->tweaks) }

sub add_tweaks ($c) {
  my $body  = _json($c, 1) // return;
  my $specs = ref $body eq 'ARRAY' ? $body : [$body];
  return _bad($c, "at most $MAX_TWEAKS pending tweaks") if @{$c->tenant->tweaks} + @$specs > $MAX_TWEAKS;
  my @tweaks;
  for my $spec (@$specs) {
    return _bad($c, 'a tweak must be an object') unless ref $spec eq 'HASH';
    my @unknown = grep { !$TWEAK_KEYS{$_} } sort keys %$spec;
    return _bad($c, "unknown tweak keys: @unknown") if @unknown;
    my $which = $spec->{which} // 'both';
    return _bad($c, 'which must be "id", "access" or "both"') unless $which =~ /^(?:id|access|both)$/;
    return _bad($c, 'alg must be "none" or "HS256-with-public-key"')
      if defined $spec->{alg} && $spec->{alg} !~ /^(?:none|HS256-with-public-key)$/;
    for my $key (qw(claims header)) {
      return _bad($c, "$key must be an object") if defined $spec->{$key} && ref $spec->{$key} ne 'HASH';
    }
    my $times = $spec->{times} // 1;
    return _bad($c, 'times must be a non-negative integer') unless $times =~ /^\d+$/;
    $times = -1 if $times == 0;    # until cleared
    my %remaining = map { $_ => $times } $which eq 'both' ? qw(id access) : $which;
    push @tweaks, {%$spec, which => $which, remaining => \%remaining};
  }
  $c->tenant->add_tweak($_) for @tweaks;
  return $c->render(status => 201, json => \@tweaks);
}

sub clear_tweaks ($c) {
  @{$c->tenant->tweaks} = ();
  return $c->rendered(204);
}

# ---- keys and logins ---------------------------------------------------------

sub signing_keys ($c) {
  my $keys = $c->app->keys;
  my $current = $keys->current;
  return $c->render(json => {
    current => $current->{kid},
    keys    => [map { {kid => $_->{kid}, current => $_ == $current ? \1 : \0, jwk => $keys->jwk($_)} } reverse @{$keys->keys}],
  });
}

sub rotate ($c) {
  my $body = $c->req->json // {};
  my $new  = $c->app->keys->rotate(ref $body eq 'HASH' && $body->{drop_old});
  return $c->render(json => {kid => $new->{kid}, jwks => $c->app->keys->jwks});
}

# POST /__control/logout-token {client_id, sub, sid, claims, header}: a signed logout token, what the
# tenant POSTs to the client's back-channel logout URI when a session ends (tests deliver it themselves).
sub logout_token ($c) {
  my $body   = _json($c) // return;
  my $client = $c->dir->client($body->{client_id}) or return _not_found($c, 'no such client');
  for my $k (qw(claims header)) {
    return _bad($c, "$k must be an object") if defined $body->{$k} && ref $body->{$k} ne 'HASH';
  }
  my $token = $c->app->tokens->logout_token(
    client => $client,
    sub    => $body->{sub},
    sid    => $body->{sid},
    claims => $body->{claims},
    header => $body->{header},
  );
  return $c->render(json => {logout_token => $token});
}

sub get_autologin ($c) { $c->render(json => {email => $c->tenant->autologin}) }

sub autologin ($c) {
  my $body  = _json($c) // return;
  my $email = $body->{email};
  return _not_found($c, "no database user $email") if defined $email && !$c->dir->user_by_email($email, $DB);
  $c->tenant->autologin($email);
  return $c->render(json => {email => $email});
}

# ---- codes the tenant "sent" -------------------------------------------------

sub otp ($c) {
  my ($connection, $identity)
    = defined $c->param('phone_number') ? ('sms', $c->param('phone_number')) : ('email', $c->param('email'));
  return _bad($c, 'give email or phone_number') unless defined $identity;
  my $entry = $c->store->get(otp => FakeTenant::Passwordless::code_key($connection, $identity))
    or return _not_found($c, "no pending code for $identity");
  return $c->render(json => {code => $entry->{code}, link => $entry->{link}, expires_at => $entry->{expires_at}});
}

sub outbox ($c) { $c->render(json => $c->tenant->outbox) }

sub _mfa_user ($c) {
  my $email = $c->param('email') // $MFA_USER;
  return $c->dir->user_by_email($email, $DB) // _not_found($c, "no database user $email");
}

sub totp ($c) {
  my $user = _mfa_user($c) or return;
  my $auth = FakeTenant::MFA::otp_authenticator($user) or return _not_found($c, 'the user has no OTP authenticator');
  my $now  = $c->tenant->now;
  return $c->render(json => {
    code      => FakeTenant::MFA::totp($auth->{secret}, $now),
    secret    => $auth->{secret},
    period    => 30,
    valid_for => 30 - $now % 30,
  });
}

sub binding_code ($c) {
  my $user = _mfa_user($c) or return;
  my ($last) = grep { ($_->{kind} // '') eq 'mfa-binding-code' && $_->{user_id} eq $user->{user_id} }
    reverse @{$c->tenant->outbox};
  return _not_found($c, 'no binding code was sent to this user') unless $last;
  return $c->render(json => {binding_code => $last->{binding_code}, oob_code => $last->{oob_code}});
}

# ---- out-of-band approvals ---------------------------------------------------

sub ciba_approve ($c) {
  my $body = _json($c) // return;
  return _not_found($c, 'unknown or expired auth_req_id')
    unless FakeTenant::CIBA::decide($c->tenant, $body->{auth_req_id}, $body->{deny});
  return $c->render(json => {ok => \1});
}

sub device_approve ($c) {
  my $body = _json($c) // return;
  my $user;
  unless ($body->{deny}) {
    my $email = $body->{email} // return _bad($c, 'email is required to approve');
    $user = $c->dir->user_by_email($email, $DB) or return _not_found($c, "no database user $email");
  }
  my $error = FakeTenant::Device::decide($c->tenant, $body->{user_code}, $user, $body->{deny});
  return $error ? _not_found($c, $error) : $c->render(json => {ok => \1});
}

# ---- settings and bulk data ----------------------------------------------------

sub settings ($c) { $c->render(json => $c->tenant->settings) }

sub update_settings ($c) {
  my $body  = _json($c) // return;
  my $error = $c->tenant->update_settings($body);
  return _bad($c, $error) if $error;
  return $c->render(json => $c->tenant->settings);
}

# Many users at once for pagination benchmarks: bulkNNNNN@DOMAIN, all with
# the password Bulk-Passw0rd!, ids auth0|b0000000<16 hex digits>.
sub bulk_users ($c) {
  my $body   = _json($c) // return;
  my $count  = $body->{count} // 1000;
  my $domain = $body->{email_domain} // 'bulk.example.com';
  return _bad($c, "count must be between 1 and $MAX_BULK") unless $count =~ /^\d+$/ && $count >= 1 && $count <= $MAX_BULK;
  return _bad($c, 'email_domain is not a domain') unless $domain =~ /^[a-z0-9.-]+\.[a-z]{2,}$/i;
  my $dir = $c->dir;
  return _bad($c, "the tenant would exceed $MAX_USERS users") if $dir->user_count + $count > $MAX_USERS;
  my $start = $dir->reserve_bulk($count);
  my @ids;
  for my $n ($start .. $start + $count - 1) {
    my $user = $dir->add_user({
      user_id        => sprintf('auth0|b0000000%016x', $n),
      email          => sprintf('bulk%06d@%s', $n, lc $domain),
      password       => 'Bulk-Passw0rd!',
      email_verified => 1,
      name           => "Bulk User $n",
    });
    push @ids, $user->{user_id};
  }
  return $c->render(
    status => 201,
    json   => {created => scalar @ids, first => $ids[0], last => $ids[-1], total => $dir->user_count}
  );
}

1;
