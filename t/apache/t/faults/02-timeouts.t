# Fault matrix: a tenant that never answers (black hole: the connection is accepted and held) and one
# that answers just before Auth0HTTPTimeout (3 s on the sites of conf/faults.conf). The waits here are the
# timeouts under test.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
use Auth0Test::Faults;
use Test::More;
use Time::HiRes ();

reset_tenant();
autologin('alice@example.com');
my $BOB = '/users/auth0%7Cb0b000000000000000000002';
my $TIMEOUT = 3;

# ---- black hole ----------------------------------------------------------------------------------------
matrix_case('blackhole.login', sub {
	my $a = login_with(fsite('FAULTS', '/echo?bh=1'), {path => '/oauth/token', action => 'blackhole'});
	is $a->{res}->code, 504, 'the callback answers 504';
	page_like $a->{res}, qr/did not answer in time/, '... with a page that says so';
	cmp_ok $a->{took}, '>=', $TIMEOUT - 0.5, '... after the timeout';
	cmp_ok $a->{took}, '<', $TIMEOUT + 2, '... not much later';
	observe(sprintf 'callback %d after %.1f s', $a->{res}->code, $a->{took});
	nothing_lost_login($a, fsite('FAULTS', '/echo?bh=1'));
});

matrix_case('blackhole.refresh', sub {
	my $b = refresh_browser();
	my $cookie = session_cookie($b);
	fault({path => '/oauth/token', action => 'blackhole'});
	my ($took, $res) = elapsed { $b->get(fsite('FAULTS_REFRESH', '/echo')) };
	clear_faults();
	is $res->code, 504, 'a renewal that gets no answer: 504';
	page_like $res, qr/try again/i, '... with a page';
	cmp_ok $took, '<', $TIMEOUT + 2, '... within the timeout';
	ok session_cookie($b) eq $cookie, '... the session cookie is kept as it was';
	$res = $b->get(fsite('FAULTS_REFRESH', '/echo'));
	is user_of($res), ALICE, 'the session renews afterwards';
	observe(sprintf '%d after %.1f s, then %d', 504, $took, $res->code);
});

matrix_case('blackhole.admin', sub {
	is admin_get('FAULTS', $BOB)->code, 200, 'an admin call (the Management token is cached)';
	my $tokens = token_requests('client_credentials');
	my $calls = counter('GET /api/v2/users/{id}');
	fault({method => 'GET', path => '/api/v2/users/*', action => 'blackhole'});
	my ($took, $res) = elapsed { admin_get('FAULTS', $BOB) };
	clear_faults();
	is $res->code, 504, 'a Management call that gets no answer: 504';
	is json_of($res)->{error}, 'tenant_timeout', '... tenant_timeout';
	cmp_ok $took, '<', $TIMEOUT + 2, '... within the timeout (not retried)';
	is counter('GET /api/v2/users/{id}'), $calls + 1, '... one attempt reached the tenant';
	is admin_get('FAULTS', $BOB)->code, 200, 'the next call: 200';
	is token_requests('client_credentials'), $tokens, '... with the same Management token';
	observe(sprintf '504 tenant_timeout after %.1f s', $took);
});

# ---- just under the timeout ----------------------------------------------------------------------------
matrix_case('slow.login', sub {
	my $a = login_with(fsite('FAULTS', '/echo?slow=1'), {path => '/oauth/token', delay_ms => 2000});
	is $a->{res}->code, 302, 'the callback completes';
	is $a->{res}->header('Location'), fsite('FAULTS', '/echo?slow=1'), '... to the original URL';
	cmp_ok $a->{took}, '>=', 1.9, '... after the tenant\'s delay';
	my $res = $a->{browser}->get(fsite('FAULTS', '/echo?slow=1'));
	is user_of($res), ALICE, '... signed in';
	observe(sprintf 'callback %d after %.1f s, then %d', $a->{res}->code, $a->{took}, $res->code);
});

matrix_case('slow.refresh', sub {
	my $b = refresh_browser();
	my $before = json_of($b->get(fsite('FAULTS_REFRESH', '/echo')))->{HTTP_X_AUTH0_ACCESS_TOKEN} // '';
	# that request renewed the token (2 s tokens): the next renewal is due a second later
	my $at = Time::HiRes::time();
	wait_until(3, sub { Time::HiRes::time() - $at > 1.2 });
	fault({path => '/oauth/token', delay_ms => 2000});
	my ($took, $res) = elapsed { $b->get(fsite('FAULTS_REFRESH', '/echo')) };
	clear_faults();
	is user_of($res), ALICE, 'a slow renewal completes';
	cmp_ok $took, '>=', 1.9, '... after the tenant\'s delay';
	isnt json_of($res)->{HTTP_X_AUTH0_ACCESS_TOKEN} // '', $before, '... with a new access token';
	observe(sprintf '%d after %.1f s', $res->code, $took);
});

matrix_case('slow.admin', sub {
	is admin_get('FAULTS', $BOB)->code, 200, 'an admin call';
	fault({method => 'GET', path => '/api/v2/users/*', delay_ms => 2000});
	my ($took, $res) = elapsed { admin_get('FAULTS', $BOB) };
	clear_faults();
	is $res->code, 200, 'a slow Management call: 200';
	is json_of($res)->{user_id}, 'auth0|b0b000000000000000000002', '... with the user';
	cmp_ok $took, '>=', 1.9, '... after the tenant\'s delay';
	observe(sprintf '%d after %.1f s', $res->code, $took);
});

done_testing();
