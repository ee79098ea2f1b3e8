# Fault matrix: the tenant refuses connections. FAULTS_REFUSED is the application of FAULTS and
# FAULTS_REFRESH with every tenant connection refused (an outgoing proxy where nothing listens); the
# browser's cookies are the same on every port, so a session made on the others is tried there.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
use Auth0Test::Api;
use Auth0Test::Faults;
use Test::More;

reset_tenant();
autologin('alice@example.com');

matrix_case('refused.login', sub {
	my $a = login_with(fsite('FAULTS_REFUSED', '/echo?x=1'));
	my $res = $a->{res};
	is $res->code, 502, 'the callback answers 502';
	page_like $res, qr/cannot be reached/, '... with a page that says so';
	cmp_ok $a->{took}, '<', 3, '... at once (connection refused, not a timeout)';
	observe(sprintf 'callback %d in %.1f s', $res->code, $a->{took});
	# the link is relative: follow it on FAULTS, where the tenant answers
	nothing_lost_login($a, fsite('FAULTS', '/echo?x=1'));
});

matrix_case('refused.session', sub {
	# FAULTS_REFRESH and FAULTS_REFUSED differ only in the way to the tenant
	my $b = signed_in(fsite('FAULTS_REFRESH', '/echo'));
	my $res = $b->get(fsite('FAULTS_REFUSED', '/echo'));
	is $res->code, 200, 'a session made while the tenant answered is served where it does not';
	is user_of($res), ALICE, '... for the same user';
	is $b->get(fsite('FAULTS_REFUSED', '/echo'))->code, 200, '... again';
	ok session_cookie($b), '... and the session cookie stays';
	observe('200 for ' . user_of($res));
});

matrix_case('refused.refresh', sub {
	my $b = refresh_browser();
	my $cookie = session_cookie($b);
	my $res = $b->get(fsite('FAULTS_REFUSED', '/echo'));
	is $res->code, 502, 'a renewal through a refusing tenant answers 502';
	page_like $res, qr/try again/i, '... with a page';
	ok session_cookie($b) eq $cookie, '... the session cookie is kept as it was';
	my $before = token_requests('refresh_token');
	$res = $b->get(fsite('FAULTS_REFRESH', '/echo'));
	is user_of($res), ALICE, 'the same session renews once the tenant answers';
	is token_requests('refresh_token'), $before + 1, '... with one refresh request';
	ok $res->header('Set-Cookie'), '... and stores the new token';
	observe('502, then renewed: ' . $res->code);
});

matrix_case('refused.bearer', sub {
	my $token = m2m_token();
	is bearer_https('FAULTS', '/bearer/echo', $token)->code, 200, 'a token validated where the tenant answers';
	my $other = m2m_token();    # never seen by any server: validated with the keys of the shared cache
	my $fetches = jwks_fetches();
	my $res = bearer_https('FAULTS_REFUSED', '/bearer/echo', $other);
	is $res->code, 200, 'a new token is validated where the tenant cannot be reached';
	is json_of($res)->{REMOTE_USER}, 'demo-m2m-client@clients', '... for its client';
	is jwks_fetches(), $fetches, '... without fetching the JWKS';
	observe('200 with the shared cache\'s keys');
});

matrix_case('refused.bearer-nokeys', sub {
	my $token = m2m_token();
	my $res = Auth0Test::Api::bearer_get('BEARER', '/down/x', $token);
	is $res->code, 503, 'no keys and no tenant: 503';
	is www_authenticate($res), '', '... without a challenge';
	is Auth0Test::Api::bearer_get('BEARER', '/cgi/x', $token)->code, 200, 'the same token against the tenant: 200';
	observe('503, then 200');
});

matrix_case('refused.admin', sub {
	is admin_get('FAULTS', '/users/auth0%7Cb0b000000000000000000002')->code, 200, 'an admin call through the tenant';
	my ($took, $res) = elapsed { admin_get('FAULTS_REFUSED', '/users/auth0%7Cb0b000000000000000000002') };
	is $res->code, 502, 'the same call where the tenant refuses connections: 502';
	is json_of($res)->{error}, 'tenant_unreachable', '... tenant_unreachable';
	like $res->header('Content-Type') // '', qr{^application/json}, '... as JSON';
	cmp_ok $took, '<', 3, '... at once';
	is admin_get('FAULTS', '/users/auth0%7Cb0b000000000000000000002')->code, 200, 'the next call through the tenant: 200';
	observe(sprintf '502 %s in %.1f s', json_of($res)->{error} // '?', $took);
});

# Not a fault: the site's proxy refuses, and /auth0 says `Auth0OutgoingProxy none` (with its own callback),
# so that no proxy is inherited there.
{
	my $a = login_with(fsite('FAULTS_REFUSED', '/auth0/echo'));
	is $a->{res}->code, 302, 'a login under Auth0OutgoingProxy none completes (no proxy inherited)';
	is(URI->new_abs($a->{res}->header('Location') // '', $a->{callback})->path, '/auth0/echo', '... back to its page');
	is user_of($a->{browser}->get(fsite('FAULTS_REFUSED', '/auth0/echo'))), ALICE, '... signed in';
}

done_testing();

