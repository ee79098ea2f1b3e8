use Mojo::Base -strict, -signatures;

use FindBin;
use lib "$FindBin::Bin/lib";

use Mojo::URL;
use Test::More;
use TenantTest qw(new_tenant jwt_parts query_of);

my $t     = new_tenant();
my %web   = (client_id => 'demo-web-client', client_secret => 'demo-web-secret');
my $GRANT = 'http://auth0.com/oauth/grant-type/passwordless/otp';

subtest 'email code' => sub {
  $t->post_ok('/passwordless/start' => json => {%web, connection => 'email', email => 'Dora@Example.com', send => 'code'})
    ->status_is(200)->json_is('/email' => 'dora@example.com')->json_is('/email_verified' => 0)->json_has('/_id');
  my $code = $t->get_ok('/__control/otp?email=dora@example.com')->status_is(200)->tx->res->json->{code};
  like $code, qr/^\d{6}$/, 'six digits';
  $t->get_ok('/__control/outbox')->json_is('/0/to' => 'Dora@Example.com')->json_is('/0/code' => $code);
  $t->post_ok('/oauth/token' => json => {%web, grant_type => $GRANT, realm => 'email', username => 'dora@example.com',
      otp => '000000', scope => 'openid email'})->status_is(403)
    ->json_is('/error_description' => 'Wrong email or verification code.');
  $t->post_ok('/oauth/token' => json => {%web, grant_type => $GRANT, realm => 'email', username => 'dora@example.com',
      otp => $code, scope => 'openid email'})->status_is(200);
  my (undef, $id) = jwt_parts($t->tx->res->json->{id_token});
  like $id->{sub}, qr/^email\|/, 'a user of the email connection';
  is $id->{email}, 'dora@example.com', 'email claim';
  $t->post_ok('/oauth/token' => json => {%web, grant_type => $GRANT, realm => 'email', username => 'dora@example.com',
      otp => $code})->status_is(403, 'a code works once');
};

subtest 'attempt limit' => sub {
  $t->post_ok('/passwordless/start' => json => {%web, connection => 'email', email => 'eve@example.com', send => 'code'});
  my $code = $t->get_ok('/__control/otp?email=eve@example.com')->tx->res->json->{code};
  for (1 .. 3) {
    $t->post_ok('/oauth/token' => json => {%web, grant_type => $GRANT, realm => 'email', username => 'eve@example.com',
        otp => 'nope'})->status_is(403);
  }
  $t->post_ok('/oauth/token' => json => {%web, grant_type => $GRANT, realm => 'email', username => 'eve@example.com',
      otp => $code})->status_is(403, 'three wrong tries invalidate the code');
};

subtest 'sms' => sub {
  $t->post_ok('/passwordless/start' => json => {%web, connection => 'sms', phone_number => '+15555550123'})->status_is(200)
    ->json_is('/phone_number' => '+15555550123')->json_is('/request_language' => undef);
  my $code = $t->get_ok('/__control/otp?phone_number=%2B15555550123')->status_is(200)->tx->res->json->{code};
  $t->post_ok('/passwordless/verify' => json => {connection => 'sms', phone_number => '+15555550123',
      verification_code => $code})->status_is(200);
  $t->post_ok('/passwordless/start' => json => {%web, connection => 'sms', phone_number => '+15555550123'});
  $code = $t->get_ok('/__control/otp?phone_number=%2B15555550123')->tx->res->json->{code};
  $t->post_ok('/oauth/token' => json => {%web, grant_type => $GRANT, realm => 'sms', username => '+15555550123', otp => $code,
      scope => 'openid'})->status_is(200);
  my (undef, $id) = jwt_parts($t->tx->res->json->{id_token});
  like $id->{sub}, qr/^sms\|/, 'a user of the sms connection';
};

subtest 'errors' => sub {
  $t->post_ok('/passwordless/start' => json => {%web, connection => 'nope', email => 'a@b.co'})->status_is(400)
    ->json_is('/error' => 'bad.connection');
  $t->post_ok('/passwordless/start' => json => {%web, connection => 'email'})->status_is(400)->json_is('/error' => 'bad.email');
  $t->post_ok('/passwordless/start' => json => {%web, connection => 'sms', phone_number => '555'})->status_is(400)
    ->json_is('/error' => 'bad.phone_number');
  $t->post_ok('/passwordless/start' => json => {client_id => 'demo-web-client', connection => 'email', email => 'a@b.co'})
    ->status_is(401, 'confidential clients authenticate');
  $t->post_ok('/passwordless/start' => json => {client_id => 'public-client', connection => 'email', email => 'a@b.co'})
    ->status_is(200, 'public clients need no secret');
  $t->post_ok('/passwordless/start' => json => {client_id => 'jwt-client', connection => 'email', email => 'a@b.co'})
    ->status_is(401);
};

subtest 'magic link' => sub {
  $t->post_ok('/passwordless/start' => json => {%web, connection => 'email', email => 'link@example.com', send => 'link',
      authParams => {redirect_uri => 'https://127.0.0.1:8443/callback', state => 'abc', scope => 'openid'}})->status_is(200);
  my $link = $t->get_ok('/__control/otp?email=link@example.com')->tx->res->json->{link};
  like $link, qr{/passwordless/verify_redirect\?}, 'link recorded';
  my $url = Mojo::URL->new($link);
  $t->get_ok($url->path_query)->status_is(302)->header_like(Location => qr{^https://127\.0\.0\.1:8443/callback\?});
  my $q = query_of($t->tx->res->headers->location);
  ok $q->{code}, 'code issued';
  is $q->{state}, 'abc', 'state from authParams';
  $t->get_ok($url->path_query)->status_is(400, 'a link works once');
};

done_testing;
