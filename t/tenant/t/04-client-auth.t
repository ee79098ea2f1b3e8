use Mojo::Base -strict, -signatures;

use FindBin;
use lib "$FindBin::Bin/lib";

use Crypt::PK::RSA;
use Mojo::Util qw(b64_encode url_escape);
use Test::More;
use TenantTest qw(new_tenant base client_assertion jwt_parts);

my $t    = new_tenant();
my $base = base($t);
my $type = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
my %cc   = (grant_type => 'client_credentials', audience => "$base/api/v2/");

sub basic ($id, $secret) { 'Basic ' . b64_encode(url_escape($id) . ':' . url_escape($secret), '') }

sub token_ok ($body, $headers = {}) { $t->post_ok('/oauth/token' => $headers => form => $body) }

subtest client_secret_post => sub {
  token_ok({%cc, client_id => 'demo-m2m-client', client_secret => 'demo-m2m-secret'})->status_is(200)
    ->json_has('/access_token');
  $t->post_ok('/oauth/token' => json => {%cc, client_id => 'demo-m2m-client', client_secret => 'demo-m2m-secret'})
    ->status_is(200, 'JSON body too');
  token_ok({%cc, client_id => 'demo-m2m-client', client_secret => 'nope'})->status_is(401)
    ->json_is('/error' => 'access_denied')->json_is('/error_description' => 'Unauthorized');
  token_ok({%cc, client_id => 'demo-m2m-client'})->status_is(401, 'confidential client without a secret');
  token_ok({%cc, client_id => 'who-is-this', client_secret => 'x'})->status_is(401)->json_is('/error' => 'access_denied');
  token_ok({%cc, client_secret => 'x'})->status_is(400)->json_is('/error' => 'invalid_request');
};

subtest client_secret_basic => sub {
  token_ok(\%cc, {Authorization => basic('demo-m2m-client', 'demo-m2m-secret')})->status_is(200);
  token_ok({%cc, client_id => 'demo-m2m-client'}, {Authorization => basic('demo-m2m-client', 'demo-m2m-secret')})
    ->status_is(200, 'client_id in the body may repeat the header');
  token_ok({%cc, client_id => 'other'}, {Authorization => basic('demo-m2m-client', 'demo-m2m-secret')})
    ->status_is(400, 'client_id mismatch');
  token_ok(\%cc, {Authorization => basic('demo-m2m-client', 'wrong')})->status_is(401);
  token_ok(\%cc, {Authorization => 'Basic !!!'})->status_is(401)->json_is('/error' => 'invalid_client');

  # Credentials are form-urlencoded before base64 (RFC 6749 2.3.1).
  $t->post_ok('/api/v2/clients' => {Authorization => 'Bearer ' . TenantTest::m2m_token($t)} => json =>
      {name => 'odd', app_type => 'non_interactive', client_secret => 'a:b/c+d%e f', grant_types => ['client_credentials']})
    ->status_is(201);
  my $id = $t->tx->res->json->{client_id};
  # Authenticated, but the new client has no grant for the API: 403, not 401.
  token_ok(\%cc, {Authorization => basic($id, 'a:b/c+d%e f')})->status_is(403, 'url-encoded secret with : / + % space')
    ->json_like('/error_description' => qr/client-grant/);
  token_ok(\%cc, {Authorization => 'Basic ' . b64_encode("$id:a:b/c+d%e f", '')})
    ->status_is(401, 'a raw (not url-encoded) secret with % fails');
};

subtest 'mixing methods' => sub {
  token_ok({%cc, client_id => 'demo-m2m-client', client_secret => 'demo-m2m-secret'},
    {Authorization => basic('demo-m2m-client', 'demo-m2m-secret')})->status_is(400)->json_is('/error' => 'invalid_request');
  token_ok({%cc, client_id => 'jwt-client', client_secret => 'x', client_assertion_type => $type,
      client_assertion => client_assertion($t)})->status_is(400);
};

subtest private_key_jwt => sub {
  for my $alg (qw(RS256 RS384 PS256 ES256)) {
    token_ok({%cc, client_id => 'jwt-client', client_assertion_type => $type, client_assertion => client_assertion($t, alg => $alg)})
      ->status_is(200, "$alg assertion accepted");
  }
  token_ok({%cc, client_assertion_type => $type, client_assertion => client_assertion($t)})
    ->status_is(200, 'client_id may come from the assertion');
  token_ok({%cc, client_id => 'jwt-client', client_assertion_type => $type,
      client_assertion => client_assertion($t, claims => {aud => "$base/oauth/token"})})->status_is(200, 'token endpoint as aud');

  my $replayed = client_assertion($t);
  token_ok({%cc, client_id => 'jwt-client', client_assertion_type => $type, client_assertion => $replayed})->status_is(200);
  token_ok({%cc, client_id => 'jwt-client', client_assertion_type => $type, client_assertion => $replayed})->status_is(401)
    ->json_is('/error' => 'invalid_client')->json_like('/error_description' => qr/jti has already been used/);

  my %bad = (
    'expired'              => {claims => {exp => $t->app->tenant->now - 10}},
    'too long lived'       => {claims => {exp => $t->app->tenant->now + 3600}},
    'wrong audience'       => {claims => {aud => 'https://elsewhere.example/'}},
    'wrong issuer'         => {claims => {iss => 'demo-web-client'}},
    'no jti'               => {claims => {jti => undef}},
    'no exp'               => {claims => {exp => undef}},
    'iat in the future'    => {claims => {iat => $t->app->tenant->now + 600}},
    'unregistered key'     => {key => do { my $k = Crypt::PK::RSA->new; $k->generate_key(256); $k }},
    'HS256 not accepted'   => {alg => 'HS256', key => 'secret'},
  );
  for my $case (sort keys %bad) {
    token_ok({%cc, client_id => 'jwt-client', client_assertion_type => $type, client_assertion => client_assertion($t, %{$bad{$case}})})
      ->status_is(401, $case)->json_is('/error' => 'invalid_client');
  }
  token_ok({%cc, client_id => 'jwt-client', client_assertion_type => 'urn:wrong', client_assertion => client_assertion($t)})
    ->status_is(400);
  token_ok({%cc, client_id => 'jwt-client', client_secret => 'nope'})->status_is(401, 'no secret authentication for jwt-client')
    ->json_is('/error' => 'invalid_client');
  token_ok({%cc, client_id => 'demo-m2m-client', client_assertion_type => $type, client_assertion => client_assertion($t)})
    ->status_is(401, 'private_key_jwt for a client without keys');

  # The clock offset applies to assertions too.
  $t->post_ok('/__control/settings' => json => {clock_offset => -600});
  token_ok({%cc, client_id => 'jwt-client', client_assertion_type => $type,
      client_assertion => client_assertion($t)})->status_is(200, 'assertion dated on the tenant clock');
  $t->post_ok('/__control/settings' => json => {clock_offset => 0});
};

subtest 'public clients' => sub {
  token_ok({grant_type => 'password', client_id => 'public-client', username => 'a', password => 'b'})->status_is(401);
  token_ok({%cc, client_id => 'public-client', client_secret => 'x'})->status_is(401)->json_is('/error' => 'invalid_client');
  token_ok({grant_type => 'refresh_token', client_id => 'public-client', refresh_token => 'x'})
    ->status_is(403, 'refresh needs no secret (bad token though)')->json_is('/error' => 'invalid_grant');
};

subtest 'requests sent for the record' => sub {
  $t->get_ok('/__control/requests?path=/oauth/token&limit=1')->status_is(200);
  my ($last) = @{$t->tx->res->json};
  is $last->{method}, 'POST', 'method recorded';
  like $last->{body}, qr/grant_type=refresh_token/, 'raw body recorded';
  is $last->{headers}{'content-type'}, 'application/x-www-form-urlencoded', 'headers by lower-case name';
};

done_testing;
