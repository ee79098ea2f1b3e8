package FakeTenant::Keys;

# The tenant's RSA signing keys (RS256, and PS256 for the clients set to
# it), the JWKS built from them, JWS signing (with the hooks the token
# tweaks need) and verification of tokens the tenant issued itself.
#
# Keys come from the state directory (signing-previous.key/.crt and
# signing-current.key/.crt, made by make-ca) so that a restarted tenant keeps
# its keys and its JWKS carries x5c/x5t like Auth0's.  Without a state
# directory two keys are generated in memory.  The JWKS always lists the
# current key first, then the previous one.

use Mojo::Base -base, -signatures;

use Crypt::Digest::SHA1 qw(sha1);
use Crypt::JWT qw(decode_jwt);
use Crypt::Mac::HMAC qw(hmac);
use Crypt::PK::RSA;
use FakeTenant::Util qw(b64url);
use MIME::Base64 qw(decode_base64);
use Mojo::File qw(path);
use Mojo::JSON qw(encode_json);

has 'state_dir';
has keys => sub { [] };    # oldest first; the last one signs

sub load ($self) {
  my @keys = map { $self->_load_file($_) // _entry(_generate()) } qw(signing-previous signing-current);
  $self->{initial} = \@keys;
  return $self->reset;
}

# Back to the keys the tenant started with (POST /__control/reset).
sub reset ($self) { $self->keys([@{$self->{initial}}]); $self }

sub current ($self) { $self->keys->[-1] }

# A new key signs from now on; the old current key stays published as the
# previous one unless drop_old, and anything older leaves the JWKS.
sub rotate ($self, $drop_old = 0) {
  my $new = _entry(_generate());
  $self->keys($drop_old ? [$new] : [$self->current, $new]);
  return $new;
}

sub jwks ($self) { return {keys => [map { $self->jwk($_) } reverse @{$self->keys}]} }

sub jwk ($self, $entry) {
  my $jwk = $entry->{pk}->export_key_jwk('public', 1);
  return {
    kty => 'RSA',
    use => 'sig',
    alg => 'RS256',
    kid => $entry->{kid},
    n   => $jwk->{n},
    e   => $jwk->{e},
    $entry->{x5c} ? (x5c => [$entry->{x5c}], x5t => $entry->{x5t}) : (),
  };
}

sub public_pem ($self, $entry = $self->current) { $entry->{pk}->export_key_pem('public') }

# Compact JWS.  $how: {alg => 'RS256' | 'PS256' (current key) | 'HS256' (with
# {secret}) | 'none', bad_signature => bool}.
sub sign ($self, $header, $claims, $how = {}) {
  my $alg   = $how->{alg} // 'RS256';
  my $input = b64url(encode_json({alg => $alg, %$header})) . '.' . b64url(encode_json($claims));
  my $sig
    = $alg eq 'none'  ? ''
    : $alg eq 'HS256' ? hmac('SHA256', $how->{secret}, $input)
    : $alg eq 'RS256' ? $self->current->{pk}->sign_message($input, 'SHA256', 'v1.5')
    # RFC 7518 3.5: MGF1 with SHA-256 (CryptX uses the message's hash) and a 32-byte salt
    : $alg eq 'PS256' ? $self->current->{pk}->sign_message($input, 'SHA256', 'pss', 32)
    :                   die "cannot sign with $alg\n";
  # Flip one bit: still well-formed base64url of the right length, but wrong.
  substr($sig, length($sig) >> 1, 1) ^= "\x01" if $how->{bad_signature} && length $sig;
  return "$input." . b64url($sig);
}

# Verifies a token issued by this tenant with any published key, signed
# with $alg (RS256 or PS256) only.  Returns ($claims, $header) or (undef,
# $reason).  Expiry is the caller's business (it depends on the tenant clock).
sub verify ($self, $token, $alg = 'RS256') {
  return (undef, 'malformed token') unless defined $token && $token =~ /^[\w-]+\.[\w-]+\.[\w-]*$/;
  my ($header, $claims) = eval {
    decode_jwt(
      token         => $token,
      kid_keys      => $self->jwks,
      accepted_alg  => $alg,
      decode_header => 1,
      verify_exp    => 0,
      verify_nbf    => 0,
      verify_iat    => 0,
    );
  };
  return (undef, 'invalid signature') unless ref $claims eq 'HASH';
  return ($claims, $header);
}

sub _generate () {
  my $pk = Crypt::PK::RSA->new;
  $pk->generate_key(256, 65537);
  return $pk;
}

sub _entry ($pk, $cert_pem = undef) {
  my %entry = (pk => $pk, kid => $pk->export_key_jwk_thumbprint('SHA256'));
  if ($cert_pem && $cert_pem =~ /-----BEGIN CERTIFICATE-----(.+?)-----END CERTIFICATE-----/s) {
    (my $b64 = $1) =~ s/\s+//g;
    @entry{qw(x5c x5t)} = ($b64, b64url(sha1(decode_base64($b64))));
  }
  return \%entry;
}

sub _load_file ($self, $name) {
  my $dir = $self->state_dir or return undef;
  my $key = path($dir, "$name.key");
  return undef unless -r $key;
  my $crt = path($dir, "$name.crt");
  return _entry(Crypt::PK::RSA->new("$key"), -r $crt ? $crt->slurp : undef);
}

1;
