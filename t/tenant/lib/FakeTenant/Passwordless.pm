package FakeTenant::Passwordless;

# Passwordless login: POST /passwordless/start (email code or link, SMS
# code), POST /passwordless/verify, the magic link GET
# /passwordless/verify_redirect, and the passwordless/otp grant.  Codes are
# "sent" to the outbox and readable with GET /__control/otp.

use Mojo::Base 'Mojolicious::Controller', -signatures;

use FakeTenant::ClientAuth;
use FakeTenant::Grants;
use FakeTenant::OAuth;
use FakeTenant::Util qw(random_digits random_id);
use Mojo::URL;

my %NOUN = (email => 'email', sms => 'phone number');

sub routes ($class, $r) {
  $r->post('/passwordless/start')->to('Passwordless#start');
  $r->post('/passwordless/verify')->to('Passwordless#verify');
  $r->get('/passwordless/verify_redirect')->to('Passwordless#verify_redirect');
}

sub grants ($class) { return {'http://auth0.com/oauth/grant-type/passwordless/otp' => \&_otp_grant} }

# Store key of the pending code for an identity.
sub code_key ($connection, $identity) { $connection eq 'sms' ? "sms:$identity" : 'email:' . lc $identity }

sub start ($c) {
  my $p = $c->body_params or return;
  my $base   = $c->tenant->base_url;
  my $client = FakeTenant::ClientAuth::authenticate($c, $p, audiences => ["$base/passwordless/start"]) or return;
  my $name   = $p->{connection} // '';
  my $conn   = $c->dir->client_connection($client, $name);
  return _bad($c, 'bad.connection', 'Connection does not exist')
    unless $conn && ($conn->{strategy} eq 'email' || $conn->{strategy} eq 'sms');

  my $t = $c->tenant;
  my ($identity, $answer);
  if ($conn->{strategy} eq 'email') {
    $identity = $p->{email} // return _bad($c, 'bad.email', 'Missing email');
    return _bad($c, 'bad.email', 'Invalid email') unless $identity =~ /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
    my $send = $p->{send} // 'link';
    return _bad($c, 'bad.send', 'send must be "link" or "code"') unless $send =~ /^(?:link|code)$/;
    return _bad($c, 'bad.authParams', 'authParams must be an object')
      if defined $p->{authParams} && ref $p->{authParams} ne 'HASH';
    $answer = {_id => random_id('', 24), email => lc $identity, email_verified => \0};
  }
  else {
    $identity = $p->{phone_number} // return _bad($c, 'bad.phone_number', 'Missing phone_number');
    return _bad($c, 'bad.phone_number', 'Invalid phone_number: use E.164 (+14155550100)') unless $identity =~ /^\+\d{6,15}$/;
    $answer = {_id => random_id('', 24), phone_number => $identity, phone_verified => \0, request_language => undef};
  }

  my $code  = random_digits(6);
  my $entry = {code => $code, client_id => $client->{client_id}, connection => $conn->{name}, attempts => 0};
  my %message = (channel => $conn->{strategy}, kind => 'passwordless', to => $identity, code => $code);
  if ($conn->{strategy} eq 'email' && ($p->{send} // 'link') eq 'link') {
    my $link = Mojo::URL->new("$base/passwordless/verify_redirect")->query(
      %{$p->{authParams} // {}},
      client_id         => $client->{client_id},
      connection        => $conn->{name},
      email             => lc $identity,
      verification_code => $code,
    );
    $message{link} = $entry->{link} = $link->to_string;
  }
  $t->store->put(otp => code_key($conn->{strategy}, $identity), $entry, $t->setting('otp_lifetime'));
  $t->send_message(%message);
  return $c->render(json => $answer);
}

# Checks a code; the code is used up when it matches, and after
# otp_max_attempts wrong tries.  Returns true when it matched.
sub consume_code ($c, $connection, $identity, $code) {
  my $key   = code_key($connection, $identity // '');
  my $entry = $c->store->get(otp => $key) or return 0;
  if (defined $code && $code eq $entry->{code}) {
    $c->store->remove(otp => $key);
    return 1;
  }
  $c->store->remove(otp => $key) if ++$entry->{attempts} >= $c->tenant->setting('otp_max_attempts');
  return 0;
}

# The user of a passwordless identity; Auth0 creates it on first login.
sub passwordless_user ($c, $connection, $identity) {
  my $dir = $c->dir;
  if ($connection eq 'sms') {
    return $dir->user_by_phone($identity, 'sms')
      // $dir->add_user({connection => 'sms', phone_number => $identity, phone_verified => 1});
  }
  return $dir->user_by_email($identity, 'email')
    // $dir->add_user({connection => 'email', email => lc $identity, email_verified => 1});
}

sub verify ($c) {
  my $p = $c->body_params or return;
  my $connection = $p->{connection} // '';
  return _bad($c, 'bad.connection', 'Connection does not exist') unless $connection eq 'email' || $connection eq 'sms';
  my $identity = $connection eq 'sms' ? $p->{phone_number} : $p->{email};
  return $c->oauth_error(403, 'invalid_grant', "Wrong $NOUN{$connection} or verification code.")
    unless consume_code($c, $connection, $identity, $p->{verification_code});
  passwordless_user($c, $connection, $identity);
  return $c->render(json => {status => 'ok'});
}

# The e-mailed magic link: logs the user in and continues like /authorize.
sub verify_redirect ($c) {
  my $p = $c->req->query_params->to_hash;
  my $client = $c->dir->client($p->{client_id}) or return $c->error_page(400, 'invalid_request', 'Unknown client');
  return $c->error_page(400, 'invalid_request', 'Wrong email or verification code.')
    unless consume_code($c, 'email', $p->{email}, $p->{verification_code});
  my %authorize = %$p;
  delete @authorize{qw(connection email verification_code)};
  $authorize{response_type} //= 'code';
  my ($tx, $where, $error, $description) = FakeTenant::OAuth::check_request($c, $client, \%authorize);
  return $c->error_page(400, $error, $description) if !$tx && $where eq 'page';
  return FakeTenant::OAuth::respond($c, $where,
    {error => $error, error_description => $description, state => $p->{state}})
    unless $tx;
  my $user = passwordless_user($c, 'email', $p->{email});
  return FakeTenant::OAuth::complete($c, $tx, $user, FakeTenant::OAuth::start_session($c, $user));
}

sub _otp_grant ($c, $client, $p) {
  my $realm = $p->{realm} // '';
  return $c->oauth_error(400, 'invalid_request', 'realm must be "email" or "sms"') unless $realm eq 'email' || $realm eq 'sms';
  for my $name (qw(username otp)) {
    return $c->oauth_error(400, 'invalid_request', "Missing required parameter: $name") unless defined $p->{$name};
  }
  return $c->oauth_error(400, 'invalid_request', "Connection $realm is not enabled for this client")
    unless $c->dir->client_connection($client, $realm);
  return unless FakeTenant::Grants::check_audience($c, $p->{audience});
  return $c->oauth_error(403, 'invalid_grant', "Wrong $NOUN{$realm} or verification code.")
    unless consume_code($c, $realm, $p->{username}, $p->{otp});
  my $user = passwordless_user($c, $realm, $p->{username});
  return $c->oauth_error(401, 'unauthorized', 'user is blocked') if $c->dir->is_blocked($user);
  return FakeTenant::Grants::login_user($c, $client, $user, $p, gty => 'passwordless');
}

sub _bad ($c, $error, $description) {
  return $c->render(json => {error => $error, error_description => $description}, status => 400);
}

1;
