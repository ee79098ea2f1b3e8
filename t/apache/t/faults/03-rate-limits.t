# Fault matrix: the tenant rate-limits (429 with Retry-After: 1, Auth0's headers and body). The
# Authentication API retries 429 three times (waiting at least Retry-After), the Management API twice, as
# long as the next attempt starts within Auth0HTTPTimeout of the first (3 s on these sites: a request to the
# tenant, its retries and waits included, ends within it); what is still limited after that becomes 503
# with Retry-After.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
use Auth0Test::Faults;
use Test::More;

reset_tenant();
autologin('alice@example.com');
my $BOB = '/users/auth0%7Cb0b000000000000000000002';
my $EXCHANGES = 'authorization_code';

matrix_case('429.login-once', sub {
	my $before = token_requests($EXCHANGES);
	my $a = login_with(fsite('FAULTS', '/echo?rl=1'), {path => '/oauth/token', preset => 'rate_limit', retry_after => 1});
	is $a->{res}->code, 302, 'the callback completes';
	is $a->{res}->header('Location'), fsite('FAULTS', '/echo?rl=1'), '... to the original URL';
	is token_requests($EXCHANGES) - $before, 2, '... after one retry';
	cmp_ok $a->{took}, '>=', 0.9, '... that waited for Retry-After';
	is user_of($a->{browser}->get(fsite('FAULTS', '/echo'))), ALICE, '... signed in';
	observe(sprintf 'callback %d after %.1f s, %d exchanges', $a->{res}->code, $a->{took},
		token_requests($EXCHANGES) - $before);
});

matrix_case('429.login-persistent', sub {
	my $before = token_requests($EXCHANGES);
	my $a = login_with(fsite('FAULTS', '/echo?rl=2'),
		{path => '/oauth/token', preset => 'rate_limit', retry_after => 1, times => 0});
	is $a->{res}->code, 503, 'the callback answers 503';
	is $a->{res}->header('Retry-After'), 1, '... with the tenant\'s Retry-After';
	page_like $a->{res}, qr/try again/i, '... and a page';
	is token_requests($EXCHANGES) - $before, 3,
		'... after two retries: a third would start 3 s after the first attempt (Auth0HTTPTimeout)';
	cmp_ok $a->{took}, '<', 3.9, '... within Auth0HTTPTimeout and the rest of the callback';
	observe(sprintf 'callback %d Retry-After %s after %.1f s', $a->{res}->code,
		$a->{res}->header('Retry-After') // '-', $a->{took});
	nothing_lost_login($a, fsite('FAULTS', '/echo?rl=2'));
});

matrix_case('429.refresh', sub {
	my $b = refresh_browser();
	my $cookie = session_cookie($b);
	fault({path => '/oauth/token', preset => 'rate_limit', retry_after => 1, times => 0});
	my $res = $b->get(fsite('FAULTS_REFRESH', '/echo'));
	clear_faults();
	is $res->code, 503, 'a rate-limited renewal: 503';
	is $res->header('Retry-After'), 1, '... with Retry-After';
	ok session_cookie($b) eq $cookie, '... the session cookie is kept as it was';
	my $after = $b->get(fsite('FAULTS_REFRESH', '/echo'));
	is user_of($after), ALICE, 'the session renews afterwards';
	observe(sprintf '%d Retry-After %s, then %d', $res->code, $res->header('Retry-After') // '-', $after->code);
});

matrix_case('429.admin-once', sub {
	is admin_get('FAULTS', $BOB)->code, 200, 'an admin call';
	my $calls = counter('GET /api/v2/users/{id}');
	fault({method => 'GET', path => '/api/v2/users/*', preset => 'rate_limit', retry_after => 1});
	my $res = admin_get('FAULTS', $BOB);
	is $res->code, 200, 'one 429: retried, 200';
	is counter('GET /api/v2/users/{id}') - $calls, 2, '... two attempts';
	observe($res->code . ' after 2 attempts');
});

matrix_case('429.admin-persistent', sub {
	is admin_get('FAULTS', $BOB)->code, 200, 'an admin call';
	my $tokens = token_requests('client_credentials');
	my $calls = counter('GET /api/v2/users/{id}');
	fault({method => 'GET', path => '/api/v2/users/*', preset => 'rate_limit', retry_after => 1, times => 0});
	my $res = admin_get('FAULTS', $BOB);
	clear_faults();
	is $res->code, 503, 'still limited after the retries: 503';
	is json_of($res)->{error}, 'rate_limited', '... rate_limited';
	is $res->header('Retry-After'), 1, '... with Retry-After';
	is counter('GET /api/v2/users/{id}') - $calls, 3, '... after two retries';
	is admin_get('FAULTS', $BOB)->code, 200, 'the next call: 200';
	is token_requests('client_credentials'), $tokens, '... with the same Management token';
	observe(sprintf '503 %s Retry-After %s', json_of($res)->{error} // '?', $res->header('Retry-After') // '-');
});

done_testing();
