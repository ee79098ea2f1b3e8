package FakeTenant::ClientAuth;

# Client authentication for the endpoints that need it (token, PAR, revoke,
# passwordless start, CIBA, MFA challenge): client_secret_post,
# client_secret_basic, private_key_jwt and, for public clients, none.

use Mojo::Base -strict, -signatures;

use Crypt::JWT qw(decode_jwt);
use Mojo::Util qw(b64_decode url_unescape);

my $ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
my %ASSERTION_ALGS = map { $_ => 1 } qw(RS256 RS384 PS256 ES256);
my $MAX_LIFETIME   = 300;    # an assertion may be valid for at most 5 minutes
my $LEEWAY         = 60;     # clock skew allowed on iat/nbf

# Crypt::JWT checks exp/nbf against the real clock by default; the tenant
# checks them itself, against its own (shiftable) clock.
my %NO_TIME_CHECKS = (verify_exp => 0, verify_nbf => 0, verify_iat => 0);

# Returns the authenticated client, or undef once an error was rendered.
# Options:
#   optional => 1   a confidential client may just name itself (device flow)
#   audiences => [] endpoint URLs accepted as an assertion's aud besides the issuer
sub authenticate ($c, $p, %opt) {
  my ($basic, $basic_error) = _basic_credentials($c);
  return _fail($c, 401, 'invalid_client', $basic_error) if $basic_error;

  my @methods = (
    $basic                                                            ? 'client_secret_basic' : (),
    defined $p->{client_secret}                                       ? 'client_secret_post'  : (),
    (defined $p->{client_assertion} || defined $p->{client_assertion_type}) ? 'private_key_jwt'     : (),
  );
  return _fail($c, 400, 'invalid_request', 'Multiple client authentication methods used: ' . join(', ', @methods))
    if @methods > 1;
  my $method = $methods[0] // 'none';

  my $client_id = $p->{client_id};
  if ($basic) {
    return _fail($c, 400, 'invalid_request', 'client_id does not match the Authorization header')
      if defined $client_id && $client_id ne $basic->[0];
    $client_id = $basic->[0];
  }
  # RFC 7523 lets a client leave client_id out and name itself in the assertion.
  $client_id //= _unverified_subject($p->{client_assertion}) if $method eq 'private_key_jwt';
  return _fail($c, 400, 'invalid_request', 'Missing required parameter: client_id') unless defined $client_id;

  my $dir    = $c->tenant->dir;
  my $client = $dir->client($client_id) or return _fail($c, 401, 'access_denied', 'Unauthorized');
  my $public = $dir->client_is_public($client);
  my $creds  = $client->{client_authentication_methods}{private_key_jwt}{credentials};

  if ($method eq 'none') {
    return _fail($c, 401, 'access_denied', 'Unauthorized') unless $public || $opt{optional};
  }
  elsif ($method eq 'private_key_jwt') {
    return _fail($c, 401, 'invalid_client', 'private_key_jwt is not enabled for this client') unless $creds;
    return _fail($c, 400, 'invalid_request', "client_assertion_type must be $ASSERTION_TYPE")
      unless ($p->{client_assertion_type} // '') eq $ASSERTION_TYPE;
    return _fail($c, 400, 'invalid_request', 'Missing required parameter: client_assertion')
      unless defined $p->{client_assertion};
    my $error = _verify_assertion($c, $client, $p->{client_assertion}, $opt{audiences} // []);
    return _fail($c, 401, 'invalid_client', $error) if $error;
  }
  else {
    my $secret = $basic ? $basic->[1] : $p->{client_secret};
    return _fail($c, 401, 'invalid_client', "$method is not enabled for this client")
      if $public || !defined $client->{client_secret};
    return _fail($c, 401, 'access_denied', 'Unauthorized') unless $secret eq $client->{client_secret};
  }
  $c->stash(client_auth_method => $method);
  return $client;
}

sub _fail ($c, $status, $error, $description) {
  $c->render(json => {error => $error, error_description => $description}, status => $status);
  return undef;
}

# Authorization: Basic base64(urlencode(id) ":" urlencode(secret)) (RFC 6749 2.3.1).
sub _basic_credentials ($c) {
  my $auth = $c->req->headers->authorization // return;
  return unless $auth =~ /^Basic\s+(.*)$/i;    # a Bearer header is not client authentication
  my $decoded = b64_decode($1);
  return (undef, 'Malformed Basic authorization header') unless defined $decoded && $decoded =~ /^([^:]*):(.*)$/s;
  my @pair = map { url_unescape(s/\+/ /gr) } $1, $2;
  return (undef, 'Malformed Basic authorization header') unless length $pair[0];
  return (\@pair);
}

sub _unverified_subject ($jwt) {
  my $claims = eval { decode_jwt(token => $jwt // '', ignore_signature => 1, %NO_TIME_CHECKS) };
  return ref $claims eq 'HASH' ? $claims->{sub} // $claims->{iss} : undef;
}

# Undef when the assertion is acceptable, else why not.
sub _verify_assertion ($c, $client, $jwt, $audiences) {
  my ($header) = eval { decode_jwt(token => $jwt, decode_header => 1, ignore_signature => 1, %NO_TIME_CHECKS) };
  return 'client_assertion is not a valid JWT' unless ref $header eq 'HASH';
  my $alg = $header->{alg} // '';
  return "client_assertion alg $alg is not supported (use RS256, RS384, PS256 or ES256)" unless $ASSERTION_ALGS{$alg};

  my @creds = grep { $_->{key} && ($alg =~ /^ES/ ? $_->{key}->isa('Crypt::PK::ECC') : $_->{key}->isa('Crypt::PK::RSA')) }
    @{$client->{client_authentication_methods}{private_key_jwt}{credentials}};
  if (defined $header->{kid}) {
    my @by_kid = grep { ($_->{kid} // '') eq $header->{kid} } @creds;
    @creds = @by_kid if @by_kid;
  }
  my $claims;
  for my $cred (@creds) {
    $claims = eval {
      decode_jwt(token => $jwt, key => $cred->{key}, accepted_alg => $alg, %NO_TIME_CHECKS);
    } and last;
  }
  return 'Invalid client_assertion signature' unless ref $claims eq 'HASH';

  my $t   = $c->tenant;
  my $now = $t->now;
  my $id  = $client->{client_id};
  return 'client_assertion iss and sub must both be the client_id'
    unless ($claims->{iss} // '') eq $id && ($claims->{sub} // '') eq $id;
  my %accepted = map { $_ => 1 } $t->issuer, @$audiences;
  my @aud      = ref $claims->{aud} eq 'ARRAY' ? @{$claims->{aud}} : ($claims->{aud} // ());
  return 'client_assertion aud must be ' . $t->issuer unless grep { $accepted{$_} } @aud;
  my $exp = $claims->{exp};
  return 'client_assertion exp is missing'          unless defined $exp && $exp =~ /^\d+$/;
  return 'client_assertion has expired'             if $exp <= $now;
  return "client_assertion exp is more than $MAX_LIFETIME seconds away" if $exp - $now > $MAX_LIFETIME + $LEEWAY;
  return 'client_assertion iat is in the future'    if defined $claims->{iat} && $claims->{iat} > $now + $LEEWAY;
  return 'client_assertion is not yet valid (nbf)'  if defined $claims->{nbf} && $claims->{nbf} > $now + $LEEWAY;
  my $jti = $claims->{jti};
  return 'client_assertion jti is missing' unless defined $jti && length $jti;
  return 'client_assertion jti has already been used' if $t->store->peek(jti => "$id\0$jti");
  $t->store->put(jti => "$id\0$jti", {}, $exp - $now + $LEEWAY);
  return undef;
}

1;
