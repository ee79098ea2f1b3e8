package TenantTest;

# Helpers for the fake tenant's own tests: an in-process tenant (Test::Mojo,
# plain HTTP), the test PKI made once by make-ca, and shortcuts for the
# common steps (tokens, client assertions, logins).

use Mojo::Base -strict, -signatures;

use Crypt::JWT qw(encode_jwt);
use Crypt::PK::ECC;
use Crypt::PK::RSA;
use Crypt::PRNG qw(random_string);
use Exporter qw(import);
use File::Spec;
use Mojo::File qw(curfile);
use Mojo::JSON qw(decode_json);
use Mojo::URL;
use MIME::Base64 qw(decode_base64url);
use Test::Mojo;

my $TENANT_DIR;
BEGIN { $TENANT_DIR = curfile->dirname->dirname->dirname->to_string }
use lib "$TENANT_DIR/lib";
use FakeTenant;

our @EXPORT_OK = qw(new_tenant pki_dir base client_assertion jwt_parts m2m_token login_code query_of
  password_login pkce_pair);

# make-ca output shared by all test files of a run (make-ca is idempotent
# and locks its directory).
sub pki_dir () {
  state $dir = do {
    my $d = $ENV{FAKE_TENANT_TEST_PKI} // File::Spec->catdir(File::Spec->tmpdir, "fake-tenant-test-pki-$<");
    system("$TENANT_DIR/make-ca", $d) == 0 or die "make-ca $d failed\n";
    $d;
  };
  return $dir;
}

sub new_tenant () {
  my $app = FakeTenant->new(state_dir => pki_dir());
  my $t   = Test::Mojo->new($app);
  $t->ua->max_redirects(0);
  $app->configure_base($t->ua->server->url->to_string);
  return $t;
}

sub base ($t) { $t->app->tenant->base_url }

# (header, claims) of a compact JWT, without verification.
sub jwt_parts ($jwt) {
  my ($h, $p) = split /\./, $jwt // '';
  return (decode_json(decode_base64url($h // '')), decode_json(decode_base64url($p // '')));
}

# A private_key_jwt assertion for jwt-client.  %opt: alg (RS256), claims
# (overrides; undef deletes), key (a Crypt::PK object).
sub client_assertion ($t, %opt) {
  my $alg = $opt{alg} // 'RS256';
  my $key = $opt{key} // ($alg =~ /^ES/ ? Crypt::PK::ECC->new(pki_dir() . '/client-es256.key')
      : Crypt::PK::RSA->new(pki_dir() . '/client-rs256.key'));
  my $now    = $t->app->tenant->now;
  my %claims = (iss => 'jwt-client', sub => 'jwt-client', aud => base($t) . '/', iat => $now, exp => $now + 180,
    jti => random_string(20));
  my $changes = $opt{claims} // {};
  for my $k (keys %$changes) { defined $changes->{$k} ? ($claims{$k} = $changes->{$k}) : delete $claims{$k} }
  return encode_jwt(payload => \%claims, alg => $alg, key => $key);
}

sub m2m_token ($t, %extra) {
  my $tx = $t->ua->post(
    '/oauth/token' => json => {
      grant_type    => 'client_credentials',
      client_id     => 'demo-m2m-client',
      client_secret => 'demo-m2m-secret',
      audience      => base($t) . '/api/v2/',
      %extra,
    }
  );
  return $tx->res->json->{access_token} // die 'no management token: ' . $tx->res->body;
}

sub query_of ($location) { Mojo::URL->new($location)->query->to_hash }

sub pkce_pair () {
  require Crypt::Digest::SHA256;
  my $verifier = random_string(64);
  return ($verifier, MIME::Base64::encode_base64url(Crypt::Digest::SHA256::sha256($verifier)));
}

# Runs /authorize with autologin for $email and returns the code.
sub login_code ($t, $email, %params) {
  $t->post_ok('/__control/autologin' => json => {email => $email})->status_is(200);
  my %query = (
    client_id     => 'demo-web-client',
    response_type => 'code',
    redirect_uri  => 'https://127.0.0.1:8443/callback',
    state         => 'st4te',
    scope         => 'openid profile email offline_access',
    %params,
  );
  $t->get_ok(Mojo::URL->new('/authorize')->query(%query))->status_is(302);
  my $location = $t->tx->res->headers->location // '';
  $t->post_ok('/__control/autologin' => json => {email => undef});
  return query_of($location)->{code} // die "no code: $location";
}

sub password_login ($t, %params) {
  return $t->ua->post(
    '/oauth/token' => json => {
      grant_type    => 'password',
      client_id     => 'demo-web-client',
      client_secret => 'demo-web-secret',
      username      => 'alice@example.com',
      password      => 'Alice-Passw0rd!',
      scope         => 'openid profile email',
      %params,
    }
  );
}

1;
