use Mojo::Base -strict, -signatures;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use TenantTest ();    # puts FakeTenant on @INC
use FakeTenant::Store;
use FakeTenant::URLMatch qw(url_allowed);
use FakeTenant::UserSearch qw(compile_query);

subtest 'URL matching' => sub {
  my @allowed = ('https://127.0.0.1:*/callback', 'https://app.example.com/cb', 'https://evil.example:*/x', 'http://[::1]:*/cb');
  ok url_allowed('https://127.0.0.1:4443/callback', \@allowed), 'any loopback port';
  ok url_allowed('https://127.0.0.1/callback',      \@allowed), 'default port';
  ok url_allowed('https://app.example.com/cb',      \@allowed), 'exact';
  ok url_allowed('http://[::1]:8080/cb',            \@allowed), 'IPv6 loopback';
  ok !url_allowed('http://127.0.0.1:4443/callback', \@allowed), 'scheme must match';
  ok !url_allowed('https://127.0.0.1:4443/callback/x', \@allowed), 'path must match';
  ok !url_allowed('https://127.0.0.1:4443/callback?a=1', \@allowed), 'query must match';
  ok !url_allowed('https://user@127.0.0.1:4443/callback', \@allowed), 'no userinfo';
  ok !url_allowed('https://127.0.0.1.evil.example:4443/callback', \@allowed), 'no host suffix tricks';
  ok !url_allowed('https://evil.example:1/x', \@allowed), 'wildcard ports only for loopback';
  ok !url_allowed('https://app.example.com/cb#frag', \@allowed), 'no fragment';
  ok !url_allowed('https://app.example.com/CB', \@allowed), 'exact means exact';
  ok url_allowed('https://app.example.com/cb?next=1', \@allowed, ignore_query => 1), 'logout URLs ignore the query';
  ok !url_allowed(undef, \@allowed), 'undef';
};

subtest 'user search' => sub {
  my %u = (email => 'Alice@Example.com', name => 'Alice Liddell', app_metadata => {plan => 'gold', tags => ['a', 'b']},
    email_verified => \1, identities => [{connection => 'Username-Password-Authentication'}]);
  my $hit = sub ($q) { my ($m, $e) = compile_query($q); die $e unless $m; $m->(\%u) };
  ok $hit->('email:"alice@example.com"'), 'quoted, case-insensitive';
  ok $hit->('email:ali*'), 'prefix wildcard';
  ok $hit->('email:*@example.c?m'), '? wildcard';
  ok !$hit->('email:"ali*"'), 'no wildcards inside quotes';
  ok $hit->('liddell'), 'plain text word';
  ok $hit->('app_metadata.tags:b'), 'array element';
  ok $hit->('identities.connection:"Username-Password-Authentication"'), 'array of objects';
  ok $hit->('email_verified:true'), 'booleans as true/false';
  ok !$hit->('name:bob OR email:bob*'), 'OR with no match';
  ok $hit->('name:bob OR email:alice*'), 'OR';
  ok !$hit->('alice AND -liddell'), 'negation';
  ok $hit->('_exists_:app_metadata.plan'), '_exists_';
  ok !(compile_query('email:"open'))[0], 'unbalanced quote is an error';
  ok !(compile_query(''))[0], 'empty query is an error';
};

subtest 'store' => sub {
  my $now   = 1000;
  my $store = FakeTenant::Store->new(clock => sub {$now}, cap => 10, grace => 50);
  $store->put(code => 'a', {v => 1}, 30);
  is $store->get(code => 'a')->{v}, 1, 'get';
  $now += 31;
  ok !$store->get(code => 'a'), 'expired';
  ok $store->peek(code => 'a'), 'peek within the grace period';
  $now += 50;
  ok !$store->peek(code => 'a'), 'gone after the grace period';
  $store->put(code => $_, {}, 100 + $_) for 1 .. 10;
  $store->put(code => 'new', {}, 500);
  ok $store->get(code => 'new'), 'a full kind still accepts entries';
  ok !$store->get(code => 1), 'by dropping those closest to expiry';
  ok $store->get(code => 10), 'and keeping the others';
  is $store->take(code => 'new') && $store->get(code => 'new'), undef, 'take removes';
};

done_testing;
