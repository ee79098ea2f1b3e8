use Mojo::Base -strict, -signatures;

use FindBin;
use lib "$FindBin::Bin/lib";

use Mojo::URL;
use Test::More;
use TenantTest qw(new_tenant base jwt_parts query_of pkce_pair);

my $t   = new_tenant();
my $cb  = 'https://127.0.0.1:8443/callback';
my %web = (client_id => 'demo-web-client', response_type => 'code', redirect_uri => $cb, state => 'xyz', nonce => 'n0nce',
  scope => 'openid profile email');

sub authorize (%query) { $t->get_ok(Mojo::URL->new('/authorize')->query(%query)) }
sub location () { $t->tx->res->headers->location }

sub login_form ($username, $password, %extra) {
  my $state = query_of(location())->{state};
  $t->get_ok("/u/login?state=$state")->status_is(200);
  return $t->post_ok('/u/login' => form => {state => $state, username => $username, password => $password, %extra});
}

subtest 'requests that must not redirect' => sub {
  authorize(%web, client_id => 'nope')->status_is(400)->content_like(qr/Unknown client: nope/);
  authorize(%web, redirect_uri => 'https://evil.example/callback')->status_is(400)
    ->content_like(qr/Callback URL mismatch/);
  ok !location(), 'no redirect to an unregistered URL';
  authorize(%web, redirect_uri => 'https://127.0.0.1:8443/other')->status_is(400);
  authorize(%web, redirect_uri => 'https://127.0.0.1:8443/callback?x=1')->status_is(400);
  my %no_redirect = %web;
  delete $no_redirect{redirect_uri};
  authorize(%no_redirect)->status_is(400)->content_like(qr/redirect_uri/);
  authorize(%web, state => [1, 2])->status_is(400)->content_like(qr/repeated/);
};

subtest 'errors sent to the redirect_uri' => sub {
  authorize(%web, response_type => 'token')->status_is(302);
  is query_of(location())->{error}, 'unsupported_response_type', 'unsupported_response_type';
  is query_of(location())->{state}, 'xyz', 'state carried';
  authorize(%web, audience => 'https://unknown.example/')->status_is(302);
  is query_of(location())->{error}, 'access_denied', 'unknown audience';
  authorize(%web, prompt => 'none')->status_is(302);
  is query_of(location())->{error}, 'login_required', 'prompt=none without a session';
  authorize(%web, organization => 'no-such-org')->status_is(302);
  is query_of(location())->{error}, 'invalid_request', 'unknown organization';
  authorize(%web, client_id => 'public-client')->status_is(302);
  like query_of(location())->{error_description}, qr/code_challenge/, 'public clients need PKCE';
  authorize(%web, code_challenge => 'short', code_challenge_method => 'S256')->status_is(302);
  is query_of(location())->{error}, 'invalid_request', 'malformed code_challenge';
  authorize(%web, connection => 'nope')->status_is(302);
  is query_of(location())->{error}, 'invalid_request', 'unknown connection';
};

subtest 'interactive login, SSO, prompt, max_age' => sub {
  authorize(%web)->status_is(302)->header_like(Location => qr{^/u/login\?state=});
  my $state = query_of(location())->{state};
  $t->get_ok("/u/login?state=$state")->status_is(200)->content_like(qr/alice\@example\.com/)
    ->content_like(qr/Alice-Passw0rd!/)->content_like(qr/bob\@example\.com/);
  $t->post_ok('/u/login' => form => {state => $state, username => 'alice@example.com', password => 'wrong'})
    ->status_is(400)->content_like(qr/Wrong email or password/);
  $t->post_ok('/u/login' => form => {state => $state, username => 'alice@example.com', password => 'Alice-Passw0rd!'})
    ->status_is(302)->header_like(Location => qr{^\Q$cb\E\?});
  my $q = query_of(location());
  ok $q->{code}, 'code issued';
  is $q->{state}, 'xyz', 'state returned';
  like $t->tx->res->headers->set_cookie, qr/auth0=/, 'SSO cookie set';
  $t->get_ok("/u/login?state=$state")->status_is(400, 'a login transaction is used once');

  authorize(%web, state => 'again')->status_is(302)->header_like(Location => qr{^\Q$cb\E\?.*code=}, 'SSO: silent login');
  authorize(%web, prompt => 'none')->status_is(302)->header_like(Location => qr{code=}, 'prompt=none with a session');
  authorize(%web, prompt => 'login')->status_is(302)->header_like(Location => qr{^/u/login}, 'prompt=login forces the form');
  authorize(%web, max_age => 0)->status_is(302)->header_like(Location => qr{^/u/login}, 'max_age=0 forces the form');
  authorize(%web, max_age => 0, prompt => 'none')->status_is(302);
  is query_of(location())->{error}, 'login_required', 'max_age exceeded with prompt=none';

  $t->get_ok('/v2/logout')->status_is(200);
  authorize(%web, prompt => 'none')->status_is(302);
  is query_of(location())->{error}, 'login_required', 'logout ended the SSO session';
};

subtest 'cancel, blocked user, wildcard port' => sub {
  authorize(%web, redirect_uri => 'http://127.0.0.1:39999/callback')->status_is(302);
  login_form('x', 'y', action => 'cancel')->status_is(302)->header_like(Location => qr{^http://127\.0\.0\.1:39999/callback\?});
  is query_of(location())->{error}, 'access_denied', 'cancel gives access_denied';
  is query_of(location())->{state}, 'xyz', 'with the state';

  authorize(%web)->status_is(302);
  login_form('blocked@example.com', 'Blocked-Passw0rd!')->status_is(302);
  is query_of(location())->{error}, 'unauthorized', 'blocked user';
  is query_of(location())->{error_description}, 'user is blocked', 'Auth0 message';
};

subtest 'MFA in the browser' => sub {
  $t->reset_session;
  authorize(%web)->status_is(302);
  my $state = query_of(location())->{state};
  login_form('mfa@example.com', 'Mfa-Passw0rd!')->status_is(200)->content_like(qr/authenticator app/);
  $t->post_ok('/u/mfa-otp' => form => {state => $state, code => '000000'})->status_is(400)->content_like(qr/Invalid code/);
  my $code = $t->get_ok('/__control/mfa/totp')->tx->res->json->{code};
  $t->post_ok('/u/mfa-otp' => form => {state => $state, code => $code})->status_is(302)
    ->header_like(Location => qr{code=});
};

subtest 'response modes' => sub {
  $t->post_ok('/__control/autologin' => json => {email => 'bob@example.com'});
  authorize(%web, response_mode => 'form_post')->status_is(200)->element_exists(qq{form[method="post"][action="$cb"]})
    ->element_exists('input[name="code"]')->element_exists('input[name="state"][value="xyz"]');
  authorize(%web, response_mode => 'fragment')->status_is(302)->header_like(Location => qr{^\Q$cb\E#code=});
  authorize(%web, response_mode => 'bogus')->status_is(400);
  $t->post_ok('/__control/autologin' => json => {email => undef});
};

subtest 'organizations and invitations' => sub {
  $t->post_ok('/__control/autologin' => json => {email => 'alice@example.com'});
  authorize(%web, organization => 'acme')->status_is(302)->header_like(Location => qr{code=});
  my $code = query_of(location())->{code};
  $t->post_ok('/oauth/token' => form => {grant_type => 'authorization_code', client_id => 'demo-web-client',
      client_secret => 'demo-web-secret', code => $code, redirect_uri => $cb})->status_is(200);
  my (undef, $claims) = jwt_parts($t->tx->res->json->{id_token});
  is $claims->{org_id},   'org_acme123', 'org_id claim';
  is $claims->{org_name}, 'acme',        'org_name claim';
  authorize(%web, organization => 'org_globex456')->status_is(302);
  is query_of(location())->{error}, 'access_denied', 'not a member';

  $t->post_ok('/__control/autologin' => json => {email => 'bob@example.com'});
  authorize(%web, organization => 'org_acme123', invitation => 'uinv_bad')->status_is(302);
  is query_of(location())->{error}, 'invalid_request', 'unknown invitation';
  authorize(%web, organization => 'org_acme123', invitation => 'uinv_AcmeInvite00001')->status_is(302)
    ->header_like(Location => qr{code=}, 'an invitation admits a non-member');
  $t->post_ok('/__control/autologin' => json => {email => undef});
};

subtest 'pushed authorization requests' => sub {
  $t->post_ok('/oauth/par' => form => {%web, client_secret => 'wrong'})->status_is(401);
  $t->post_ok('/oauth/par' => json => {%web, client_secret => 'demo-web-secret'})->status_is(400);
  $t->post_ok('/oauth/par' => form => {%web, client_secret => 'demo-web-secret', redirect_uri => 'https://evil.example/'})
    ->status_is(400)->json_is('/error' => 'invalid_request');
  $t->post_ok('/oauth/par' => form => {%web, client_secret => 'demo-web-secret', state => 'from-par'})->status_is(201)
    ->json_like('/request_uri' => qr/^urn:ietf:params:oauth:request_uri:/)->json_is('/expires_in' => 30);
  my $uri = $t->tx->res->json->{request_uri};
  $t->post_ok('/__control/autologin' => json => {email => 'alice@example.com'});
  authorize(client_id => 'hs256-client', request_uri => $uri)->status_is(400, 'another client cannot use it');
  $t->post_ok('/oauth/par' => form => {%web, client_secret => 'demo-web-secret', state => 'from-par'})->status_is(201);
  $uri = $t->tx->res->json->{request_uri};
  authorize(client_id => 'demo-web-client', request_uri => $uri, state => 'ignored')->status_is(302);
  is query_of(location())->{state}, 'from-par', 'pushed parameters are used';
  authorize(client_id => 'demo-web-client', request_uri => $uri)->status_is(400, 'a request_uri works once');
  # a client that must use PAR (require_pushed_authorization_requests) takes a request_uri only
  my $client = $t->app->dir->client('demo-web-client');
  local $client->{require_pushed_authorization_requests} = 1;
  authorize(%web)->status_is(400)->content_like(qr/Pushed Authorization Requests are required/, 'PAR required');
  $t->post_ok('/oauth/par' => form => {%web, client_secret => 'demo-web-secret'})->status_is(201);
  authorize(client_id => 'demo-web-client', request_uri => $t->tx->res->json->{request_uri})->status_is(302)
    ->header_like(Location => qr{code=}, '... and a pushed request logs in');
  $t->post_ok('/__control/autologin' => json => {email => undef});
};

subtest 'PKCE round trip for the public client' => sub {
  my ($verifier, $challenge) = pkce_pair();
  $t->post_ok('/__control/autologin' => json => {email => 'alice@example.com'});
  authorize(%web, client_id => 'public-client', code_challenge => $challenge, code_challenge_method => 'S256')->status_is(302);
  my $code = query_of(location())->{code};
  $t->post_ok('/oauth/token' => form => {grant_type => 'authorization_code', client_id => 'public-client', code => $code,
      redirect_uri => $cb, code_verifier => $verifier})->status_is(200)->json_has('/id_token');
  $t->post_ok('/__control/autologin' => json => {email => undef});
};

done_testing;
