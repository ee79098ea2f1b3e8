use Mojo::Base -strict, -signatures;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use TenantTest qw(new_tenant base jwt_parts password_login);    # (also puts FakeTenant on @INC)
use FakeTenant::MFA;

my $t     = new_tenant();
my $base  = base($t);
my %web   = (client_id => 'demo-web-client', client_secret => 'demo-web-secret');
my $GRANT = 'http://auth0.com/oauth/grant-type';

sub mfa_token () {
  my $res = password_login($t, username => 'mfa@example.com', password => 'Mfa-Passw0rd!', scope => 'openid offline_access')->res;
  return $res->json->{mfa_token} // die $res->body;
}

sub token (%body) { $t->post_ok('/oauth/token' => json => {%web, %body}) }

subtest 'TOTP is RFC 6238' => sub {
  # RFC 6238 appendix B, SHA-1 secret "12345678901234567890", 8 digits -> last 6 digits here.
  my $secret = FakeTenant::MFA::base32_encode('12345678901234567890');
  is FakeTenant::MFA::totp($secret, 59),         '287082', 'T=59';
  is FakeTenant::MFA::totp($secret, 1111111109), '081804', 'T=1111111109';
  is FakeTenant::MFA::totp($secret, 2000000000), '279037', 'T=2000000000';
  is FakeTenant::MFA::base32_decode($secret), '12345678901234567890', 'base32 round trip';
};

subtest 'mfa-otp' => sub {
  my $mfa = mfa_token();
  token(grant_type => "$GRANT/mfa-otp", mfa_token => $mfa, otp => '000000')->status_is(403)
    ->json_is('/error' => 'invalid_grant')->json_is('/error_description' => 'Invalid otp_code.');
  my $code = $t->get_ok('/__control/mfa/totp')->status_is(200)->tx->res->json->{code};
  like $code, qr/^\d{6}$/, 'control gives the current code';
  token(grant_type => "$GRANT/mfa-otp", mfa_token => $mfa, otp => $code)->status_is(200)->json_has('/id_token')
    ->json_has('/refresh_token');
  my (undef, $id) = jwt_parts($t->tx->res->json->{id_token});
  is $id->{sub}, 'auth0|3fa000000000000000000003', 'the MFA user';
  token(grant_type => "$GRANT/mfa-otp", mfa_token => $mfa, otp => $code)->status_is(403, 'an mfa_token is used once');
  token(grant_type => "$GRANT/mfa-otp", mfa_token => 'garbage', otp => $code)->status_is(403)
    ->json_is('/error_description' => 'Malformed mfa_token');

  $mfa = mfa_token();
  $t->post_ok('/__control/settings' => json => {clock_offset => 601});
  token(grant_type => "$GRANT/mfa-otp", mfa_token => $mfa, otp => '123456')->status_is(403)->json_is('/error' => 'expired_token');
  $t->post_ok('/__control/settings' => json => {clock_offset => 0});

  $mfa = mfa_token();
  $t->post_ok('/oauth/token' => json => {grant_type => "$GRANT/mfa-otp", client_id => 'hs256-client',
      client_secret => 'hs256-client-secret-at-least-32-bytes-long', mfa_token => $mfa, otp => $code})->status_is(403);
};

subtest 'challenge and mfa-oob with a binding code' => sub {
  my $mfa = mfa_token();
  $t->post_ok('/mfa/challenge' => json => {%web, mfa_token => $mfa, challenge_type => 'otp'})->status_is(200)
    ->json_is('/challenge_type' => 'otp');
  $t->post_ok('/mfa/challenge' => json => {%web, mfa_token => $mfa, challenge_type => 'oob'})->status_is(200)
    ->json_is('/challenge_type' => 'oob')->json_is('/binding_method' => 'prompt')->json_has('/oob_code');
  my $oob = $t->tx->res->json->{oob_code};
  $t->post_ok('/mfa/challenge' => json => {%web, client_secret => 'x', mfa_token => $mfa})->status_is(401);
  my $binding = $t->get_ok('/__control/mfa/binding-code')->status_is(200)->json_is('/oob_code' => $oob)
    ->tx->res->json->{binding_code};
  token(grant_type => "$GRANT/mfa-oob", mfa_token => $mfa, oob_code => $oob)->status_is(400)
    ->json_is('/error' => 'authorization_pending');
  token(grant_type => "$GRANT/mfa-oob", mfa_token => $mfa, oob_code => $oob, binding_code => '000000')->status_is(403);
  token(grant_type => "$GRANT/mfa-oob", mfa_token => $mfa, oob_code => $oob, binding_code => $binding)->status_is(200)
    ->json_has('/access_token');
};

subtest 'recovery code' => sub {
  my $mfa = mfa_token();
  token(grant_type => "$GRANT/mfa-recovery-code", mfa_token => $mfa, recovery_code => 'WRONG')->status_is(403);
  token(grant_type => "$GRANT/mfa-recovery-code", mfa_token => $mfa, recovery_code => 'RECOVERY0CODE0MFA0USER0001')
    ->status_is(200)->json_has('/access_token')->json_like('/recovery_code' => qr/^[A-Z2-7]{20,}$/);
  $mfa = mfa_token();
  token(grant_type => "$GRANT/mfa-recovery-code", mfa_token => $mfa, recovery_code => 'RECOVERY0CODE0MFA0USER0001')
    ->status_is(403, 'a recovery code works once');
};

subtest 'authenticators and enrolment' => sub {
  my $mfa = mfa_token();
  $t->get_ok('/mfa/authenticators')->status_is(401)->header_like('WWW-Authenticate' => qr/Bearer/);
  $t->get_ok('/mfa/authenticators' => {Authorization => "Bearer $mfa"})->status_is(200)
    ->json_is('/0/authenticator_type' => 'otp')->json_is('/1/oob_channel' => 'sms')->json_like('/1/name' => qr/XXXXXX0100$/);
  my $count = @{$t->tx->res->json};

  $t->post_ok('/mfa/associate' => {Authorization => "Bearer $mfa"} => json => {authenticator_types => ['otp']})
    ->status_is(200)->json_is('/authenticator_type' => 'otp')->json_like('/barcode_uri' => qr{^otpauth://totp/})
    ->json_has('/secret');
  my $secret = $t->tx->res->json->{secret};
  $t->get_ok('/mfa/authenticators' => {Authorization => "Bearer $mfa"})->json_is("/$count/active" => 0);
  my $new_id = $t->tx->res->json->[$count]{id};
  token(grant_type => "$GRANT/mfa-otp", mfa_token => $mfa, otp => FakeTenant::MFA::totp($secret, $t->app->tenant->now))
    ->status_is(200, 'confirming with the new secret');

  $mfa = mfa_token();
  $t->get_ok('/mfa/authenticators' => {Authorization => "Bearer $mfa"})->json_is("/$count/active" => 1);
  $t->delete_ok("/mfa/authenticators/$new_id" => {Authorization => "Bearer $mfa"})->status_is(204);
  $t->delete_ok("/mfa/authenticators/$new_id" => {Authorization => "Bearer $mfa"})->status_is(404);

  $t->post_ok('/mfa/associate' => {Authorization => "Bearer $mfa"} => json =>
      {authenticator_types => ['oob'], oob_channels => ['sms'], phone_number => '+15555550199'})->status_is(200)
    ->json_is('/oob_channel' => 'sms')->json_has('/oob_code');
  $t->post_ok('/mfa/associate' => {Authorization => "Bearer $mfa"} => json => {authenticator_types => ['webauthn']})
    ->status_is(400);

  # An access token for the MFA API works as well (bob enrols his first factor).
  my $at = password_login($t, username => 'bob@example.com', password => 'Bob-Passw0rd!', audience => "$base/mfa/",
    scope => 'enroll read:authenticators')->res->json->{access_token};
  $t->post_ok('/mfa/associate' => {Authorization => "Bearer $at"} => json => {authenticator_types => ['otp']})->status_is(200)
    ->json_has('/recovery_codes/0');
  $t->delete_ok('/mfa/authenticators/x' => {Authorization => "Bearer $at"})->status_is(401, 'scope remove:authenticators needed');
};

done_testing;
