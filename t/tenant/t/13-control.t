use Mojo::Base -strict, -signatures;

use FindBin;
use lib "$FindBin::Bin/lib";

use Crypt::JWT qw(decode_jwt);
use Mojo::JSON qw(decode_json);
use Mojo::Promise;
use Test::More;
use TenantTest qw(new_tenant base jwt_parts password_login m2m_token);

my $t    = new_tenant();
my $base = base($t);

subtest 'counters and recorded requests' => sub {
  $t->delete_ok('/__control/counters')->status_is(204);
  m2m_token($t) for 1 .. 2;
  password_login($t);
  $t->get_ok('/.well-known/jwks.json');
  $t->get_ok('/__control/counters')->status_is(200)->json_is('/POST ~1oauth~1token' => 3)
    ->json_is('/POST ~1oauth~1token grant=client_credentials' => 2)->json_is('/POST ~1oauth~1token grant=password' => 1)
    ->json_is('/GET ~1.well-known~1jwks.json' => 1)->json_hasnt('/GET ~1__control~1counters');

  $t->post_ok('/oauth/token' => {'Auth0-Client' => 'eyJuYW1lIjoidGVzdCJ9'} => json => {grant_type => 'password',
      client_id => 'demo-web-client', client_secret => 'demo-web-secret', username => 'a', password => 'b'});
  $t->get_ok('/__control/requests?path=/oauth/token&limit=2')->status_is(200);
  my $log = $t->tx->res->json;
  is scalar @$log, 2, 'limit';
  my $last = $log->[-1];
  is $last->{method}, 'POST', 'method';
  is $last->{path}, '/oauth/token', 'path';
  is $last->{headers}{'auth0-client'}, 'eyJuYW1lIjoidGVzdCJ9', 'telemetry header visible';
  is decode_json($last->{body})->{username}, 'a', 'raw body';
  $t->get_ok('/api/v2/users?from&take=5');
  $t->get_ok('/__control/requests?path=/api/v2/*&limit=1')->json_is('/0/query' => 'from&take=5', 'raw query kept')
    ->json_is('/0/template' => '/api/v2/users');
  $t->get_ok('/__control/requests?limit=0')->status_is(400);
};

subtest 'fault rules' => sub {
  $t->post_ok('/__control/faults' => json => {method => 'GET', path => '/.well-known/jwks.json', status => 503,
      headers => {'Retry-After' => '1'}, body => 'unavailable', content_type => 'text/plain', times => 2})->status_is(201);
  $t->get_ok('/.well-known/jwks.json')->status_is(503)->header_is('Retry-After' => 1)->content_is('unavailable');
  $t->get_ok('/.well-known/jwks.json')->status_is(503);
  $t->get_ok('/.well-known/jwks.json')->status_is(200, 'times=2 used up');
  $t->get_ok('/__control/counters')->json_is('/GET ~1.well-known~1jwks.json' => 4, 'faulted requests are counted');

  $t->post_ok('/__control/faults' => json => [{path => '/api/v2/*', status => 500, times => 0}])->status_is(201);
  $t->get_ok('/api/v2/users')->status_is(500)->json_is('/statusCode' => 500);
  $t->get_ok('/api/v2/roles')->status_is(500, 'prefix match, until cleared');
  $t->get_ok('/__control/faults')->json_is('/0/hits' => 2);
  $t->delete_ok('/__control/faults')->status_is(204);
  $t->get_ok('/api/v2/users')->status_is(401, 'cleared');

  $t->post_ok('/__control/faults' => json => {path => '/oauth/token', preset => 'rate_limit', retry_after => 2, limit => 30});
  $t->post_ok('/oauth/token' => json => {})->status_is(429)->header_is('Retry-After' => 2)->header_is('X-RateLimit-Limit' => 30)
    ->header_is('X-RateLimit-Remaining' => 0)->json_is('/error' => 'too_many_requests');
  my $reset = $t->tx->res->headers->header('X-RateLimit-Reset');
  ok $reset >= time + 1 && $reset <= time + 3, 'X-RateLimit-Reset is an epoch second';
  $t->post_ok('/__control/faults' => json => {path => '/api/v2/users', preset => 'rate_limit'});
  $t->get_ok('/api/v2/users')->status_is(429)->json_is('/statusCode' => 429)->json_is('/errorCode' => 'too_many_requests');

  $t->post_ok('/__control/faults' => json => {path => '/oauth/token', action => 'malformed'});
  $t->post_ok('/oauth/token' => json => {})->status_is(200)->content_type_like(qr/json/);
  ok !eval { decode_json($t->tx->res->body) }, 'body is not JSON';

  $t->post_ok('/__control/faults' => json => {path => '/.well-known/jwks.json', action => 'huge', size => 2_000_000});
  $t->get_ok('/.well-known/jwks.json')->status_is(200);
  is length $t->tx->res->body, 2_000_000, 'huge body of the requested size';
  ok decode_json($t->tx->res->body), 'and still JSON';

  $t->post_ok('/__control/faults' => json => {path => '/x', action => 'explode'})->status_is(400);
  $t->post_ok('/__control/faults' => json => {action => 'close'})->status_is(400);
};

subtest 'connection-level faults' => sub {
  $t->post_ok('/__control/faults' => json => {path => '/.well-known/jwks.json', action => 'close'});
  my $tx = $t->ua->get('/.well-known/jwks.json');
  ok $tx->error, 'connection dropped';
  ok !$tx->res->code, 'no status';

  $t->post_ok('/__control/faults' => json => {path => '/.well-known/jwks.json', action => 'truncate'});
  $tx = $t->ua->get('/.well-known/jwks.json');
  is $tx->res->code, 200, 'a correct-looking status';
  ok length($tx->res->body) < $tx->res->headers->content_length, 'fewer bytes than Content-Length announced';
  ok !eval { decode_json($tx->res->body) }, 'half a JSON document';

  $t->post_ok('/__control/faults' => json => {path => '/.well-known/jwks.json', action => 'blackhole'});
  $t->ua->request_timeout(1);
  $tx = $t->ua->get('/.well-known/jwks.json');
  like $tx->error->{message}, qr/timeout/i, 'black hole: the client times out';
  $t->ua->request_timeout(0);
  $t->get_ok('/.well-known/jwks.json')->status_is(200, 'the tenant still serves others');

  # A delay does not hold up other requests.
  $t->post_ok('/__control/faults' => json => {path => '/.well-known/jwks.json', action => 'delay', delay_ms => 700});
  my @order;
  my $slow = $t->ua->get_p('/.well-known/jwks.json')->then(sub ($tx) { push @order, 'slow:' . $tx->res->code });
  my $fast = $t->ua->get_p('/.well-known/openid-configuration')->then(sub ($tx) { push @order, 'fast:' . $tx->res->code });
  Mojo::Promise->all($slow, $fast)->wait;
  is_deeply \@order, ['fast:200', 'slow:200'], 'delayed request answered normally, after the other';

  $t->post_ok('/__control/faults' => json => {path => '/.well-known/jwks.json', status => 502, delay_ms => 200});
  $t->get_ok('/.well-known/jwks.json')->status_is(502, 'delayed error');
};

subtest 'gates and grant types' => sub {
  # grant_type: the rule takes token requests of that grant only
  $t->post_ok('/__control/faults' => json => {path => '/oauth/token', grant_type => 'refresh_token', status => 503})
    ->status_is(201);
  m2m_token($t);
  $t->get_ok('/__control/faults')->json_is('/0/hits' => 0, 'another grant passes the rule by');
  $t->post_ok('/oauth/token' => form => {grant_type => 'refresh_token', client_id => 'demo-web-client',
      client_secret => 'demo-web-secret', refresh_token => 'x'})->status_is(503, 'its grant (a form) takes it');
  $t->delete_ok('/__control/faults')->status_is(204);

  # a gate holds each request of its rule until it opens; others go on meanwhile
  $t->post_ok('/__control/faults' => json => {path => '/.well-known/jwks.json', gate => 'g1', times => 2})->status_is(201);
  $t->get_ok('/__control/gates')->json_is('/g1/open' => 0)->json_is('/g1/held' => 0);
  my @order;
  my @held = map {
    my $i = $_;
    $t->ua->get_p('/.well-known/jwks.json')->then(sub ($tx) { push @order, "held$i:" . $tx->res->code });
  } 1 .. 2;
  my $watch = sub ($tx) {
    push @order, 'other:' . $tx->res->code;
    # both held (the control API answers at once, the gate holds the others): open it
    my $id;
    $id = Mojo::IOLoop->recurring(0.02 => sub ($loop) {
      return unless $t->app->faults->gate_view->{g1}{held} == 2;
      $loop->remove($id);
      $t->app->faults->open_gate('g1');
    });
  };
  my $other = $t->ua->get_p('/.well-known/openid-configuration')->then($watch);
  Mojo::Promise->all(@held, $other)->timeout(10)->wait;
  is $order[0], 'other:200', 'a request of no rule is answered while the gate holds';
  is_deeply [sort @order[1, 2]], ['held1:200', 'held2:200'], 'held requests answered normally once it opens';
  $t->get_ok('/__control/gates')->json_is('/g1/open' => 1)->json_is('/g1/held' => 0)->json_is('/g1/waited' => 2);
  $t->post_ok('/__control/gates' => json => {close => 'g1'})->json_is('/g1/open' => 0);
  $t->post_ok('/__control/gates' => json => {open => 'g1'})->json_is('/g1/open' => 1);

  # a held request is never stranded: clearing the rules opens the gates
  $t->post_ok('/__control/faults' => json => {path => '/.well-known/jwks.json', gate => 'g2'})->status_is(201);
  my $code;
  my $p = $t->ua->get_p('/.well-known/jwks.json')->then(sub ($tx) { $code = $tx->res->code });
  my $id;
  $id = Mojo::IOLoop->recurring(0.02 => sub ($loop) {
    return unless ($t->app->faults->gate_view->{g2}{held} // 0) == 1;
    $loop->remove($id);
    $t->app->faults->clear;
  });
  $p->timeout(10)->wait;
  is $code, 200, 'clearing the faults lets a held request go on';
  $t->get_ok('/__control/gates')->json_is('' => {});

  $t->post_ok('/__control/faults' => json => {path => '/x', gate => 'a b'})->status_is(400);
  $t->post_ok('/__control/faults' => json => {path => '/x', gate => 'g', action => 'blackhole'})->status_is(400);
  $t->post_ok('/__control/faults' => json => {path => '/x', grant_type => ''})->status_is(400);
  $t->post_ok('/__control/gates' => json => {open => 'g', close => 'g'})->status_is(400);
  $t->post_ok('/__control/gates' => json => {})->status_is(400);
  $t->delete_ok('/__control/faults')->status_is(204);
};

subtest 'token tweaks' => sub {
  my $jwks = $t->get_ok('/.well-known/jwks.json')->tx->res->json;
  my $id   = sub { password_login($t, @_)->res->json->{id_token} };

  $t->post_ok('/__control/tokens' => json => {which => 'id', claims => {email => 'evil@example.com', nickname => undef},
      times => 2})->status_is(201);
  my (undef, $c) = jwt_parts($id->());
  is $c->{email}, 'evil@example.com', 'claim overridden';
  ok !exists $c->{nickname}, 'null deletes';
  (undef, $c) = jwt_parts($id->());
  is $c->{email}, 'evil@example.com', 'second token tweaked (times 2)';
  (undef, $c) = jwt_parts($id->());
  is $c->{email}, 'alice@example.com', 'third is normal';

  $t->post_ok('/__control/tokens' => json => {which => 'id', exp_offset => -3600, iat_offset => -3600});
  (undef, $c) = jwt_parts($id->());
  ok $c->{exp} < time + 36000 - 3000, 'exp shifted';

  $t->post_ok('/__control/tokens' => json => {which => 'id', bad_signature => \1});
  my $bad = $id->();
  ok !eval { decode_jwt(token => $bad, kid_keys => $jwks) }, 'bad signature does not verify';

  $t->post_ok('/__control/tokens' => json => {which => 'id', kid => 'unknown'});
  my ($h) = jwt_parts($id->());
  is $h->{kid}, 'unknown', 'kid tweak';

  $t->post_ok('/__control/tokens' => json => {which => 'id', alg => 'none'});
  my $none = $id->();
  ($h) = jwt_parts($none);
  is $h->{alg}, 'none', 'alg none';
  like $none, qr/\.$/, 'empty signature';

  $t->post_ok('/__control/tokens' => json => {which => 'id', alg => 'HS256-with-public-key'});
  my $confused = $id->();
  my $pem = $t->app->keys->public_pem;
  ok eval { decode_jwt(token => $confused, key => $pem, accepted_alg => 'HS256') }, 'HMAC keyed with the public key PEM';

  $t->post_ok('/__control/tokens' => json => {which => 'id', claims => {aud => ['demo-web-client', 'other']}});
  (undef, $c) = jwt_parts($id->());
  is $c->{azp}, 'demo-web-client', 'azp added for several audiences';

  $t->post_ok('/__control/tokens' => json => {which => 'access', header => {typ => 'JWT'}});
  ($h) = jwt_parts(m2m_token($t));
  is $h->{typ}, 'JWT', 'header tweak on access tokens';

  $t->post_ok('/__control/tokens' => json => {which => 'both', claims => {iss => 'https://evil.example/'}, times => 0});
  my $res = password_login($t, audience => 'https://api.example.com/')->res->json;
  is((jwt_parts($res->{id_token}))[1]{iss}, 'https://evil.example/', 'both: ID token');
  is((jwt_parts($res->{access_token}))[1]{iss}, 'https://evil.example/', 'both: access token');
  is((jwt_parts(m2m_token($t)))[1]{iss}, 'https://evil.example/', 'times 0: until cleared');
  $t->get_ok('/__control/tokens')->json_is('/0/which' => 'both');
  $t->delete_ok('/__control/tokens')->status_is(204);
  is((jwt_parts(m2m_token($t)))[1]{iss}, "$base/", 'cleared');

  $t->post_ok('/__control/tokens' => json => {which => 'refresh'})->status_is(400);
  $t->post_ok('/__control/tokens' => json => {alg => 'RS512'})->status_is(400);
  $t->post_ok('/__control/tokens' => json => {bogus => 1})->status_is(400);
};

subtest 'settings, autologin, reset, limits' => sub {
  $t->get_ok('/__control/settings')->json_is('/code_lifetime' => 60);
  $t->post_ok('/__control/settings' => json => {clock_offset => -120})->json_is('/clock_offset' => -120);
  my (undef, $c) = jwt_parts(m2m_token($t));
  ok abs($c->{iat} - (time - 120)) <= 2, 'clock offset shifts issued times';

  $t->post_ok('/__control/settings' => json => {clock_offset => 'soon'})->status_is(400);
  $t->post_ok('/__control/settings' => json => {code_lifetime => -1})->status_is(400);
  $t->post_ok('/__control/settings' => json => {code_lifetime => undef})->status_is(400, 'no per-API fallback for this one');
  $t->post_ok('/__control/autologin' => json => {email => 'nobody@example.com'})->status_is(404);
  $t->post_ok('/__control/autologin' => json => {email => 'bob@example.com'})->status_is(200);
  $t->get_ok('/__control/autologin')->json_is('/email' => 'bob@example.com');

  $t->post_ok('/api/v2/users' => {Authorization => 'Bearer ' . m2m_token($t)} => json =>
      {email => 'temp@example.com', password => 'Temp-Passw0rd!', connection => 'Username-Password-Authentication'})
    ->status_is(201);
  $t->post_ok('/__control/faults' => json => {path => '/x', status => 500});
  $t->post_ok('/__control/reset')->status_is(200);
  $t->get_ok('/__control/settings')->json_is('/clock_offset' => 0);
  $t->get_ok('/__control/autologin')->json_is('/email' => undef);
  $t->get_ok('/__control/faults')->json_is('' => []);
  $t->get_ok('/__control/counters')->json_is('' => {});
  is scalar @{$t->app->tenant->dir->users_by_email('temp@example.com')}, 0, 'users back to the seed';

  $t->post_ok('/oauth/token' => {'Content-Type' => 'application/json'} => '{"x":"' . ('a' x (1024 * 1024)) . '"}')
    ->status_is(413, 'request bodies are bounded');
  $t->get_ok('/no/such/endpoint')->status_is(404);
};

done_testing;
