# How the admin API answers when the tenant fails: timeouts (504), rate limits and 503 (503 with
# Retry-After), 5xx, dropped connections and malformed answers (502), an unreachable Management API
# (502), a tenant certificate that does not verify (502), a refused Management token (502), an application
# that may not get one (502).
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
use Auth0Test::Api;
use Auth0Test::Admin;
use Test::More;
use Time::HiRes qw(time);

reset_tenant();
my $token = m2m_token();
my $BOB   = 'auth0%7Cb0b000000000000000000002';
my $URL   = "/fast/api/users/$BOB";    # Auth0HTTPTimeout 1.5, Auth0HTTPRetries 0

sub call { bearer_call($token, GET => $URL) }

sub mapped {
	my ($res, $status, $error, $name) = @_;
	my $j = json_of($res);
	is $res->code, $status, "$name: $status";
	is $j->{error}, $error, "$name: $error";
	is $j->{status}, $status, "$name: status in the body";
	ok length($j->{message} // ''), "$name: a message";
	like $res->header('Content-Type') // '', qr{^application/json}, "$name: JSON";
	return $j;
}

is call()->code, 200, 'a first call: the Management token is cached';

fault({method => 'GET', path => '/api/v2/users/*', delay_ms => 4000});
my $t0  = time;
my $res = call();
my $elapsed = time - $t0;
mapped($res, 504, 'tenant_timeout', 'a slow tenant');
cmp_ok $elapsed, '<', 3.5, "... answered within the timeout (${\ sprintf '%.1f', $elapsed} s)";
clear_faults();

fault({method => 'GET', path => '/api/v2/users/*', preset => 'rate_limit', retry_after => 7});
$res = call();
mapped($res, 503, 'rate_limited', '429 from the tenant');
is $res->header('Retry-After'), 7, '... Retry-After from the tenant';

fault({method => 'GET', path => '/api/v2/users/*', status => 503, headers => {'Retry-After' => '3'},
	body => {statusCode => 503, error => 'Service Unavailable', message => 'down for maintenance'}});
$res = call();
mapped($res, 503, 'tenant_unavailable', '503 from the tenant');
is $res->header('Retry-After'), 3, '... Retry-After';

fault({method => 'GET', path => '/api/v2/users/*', status => 500, body => {statusCode => 500, error => 'Internal'}});
my $j = mapped(call(), 502, 'tenant_error', '500 from the tenant');
like $j->{message}, qr/500/, '... says what the tenant answered';

fault({method => 'GET', path => '/api/v2/users/*', action => 'close', times => 5});    # curl retries a reused connection once
mapped(call(), 502, 'tenant_unreachable', 'a dropped connection');
clear_faults();

fault({method => 'GET', path => '/api/v2/users/*', action => 'malformed'});
$j = mapped(call(), 502, 'tenant_error', 'a malformed answer');
like $j->{message}, qr/answer \(HTTP 200\) is unusable/, '... says the answer is unusable, with its status';
unlike $j->{message}, qr/answered 200/, '... not that the tenant "answered 200", beside a 502';

# the tenant refuses the token twice (after one renewal): the server's problem, never a 401 to the caller
fault({method => 'GET', path => '/api/v2/users/*', status => 401, times => 2,
	body => {statusCode => 401, error => 'Unauthorized', message => 'Invalid token'}});
$res = call();
mapped($res, 502, 'management_token_refused', 'the tenant refuses the Management token');
clear_faults();
is call()->code, 200, 'then it works again';

# tenant 4xx pass through, also here
$j = mapped(bearer_call($token, GET => '/fast/api/users/auth0%7Cnobody'), 404, 'Not Found', 'a tenant 404');
is $j->{errorCode}, 'inexistent_user', '... errorCode';

# nothing listens where the Management API should be
$t0 = time;
mapped(bearer_call($token, GET => "/down/api/users/$BOB"), 502, 'tenant_unreachable', 'an unreachable Management API');
cmp_ok time - $t0, '<', 5, '... answered at once';

# a tenant whose certificate does not verify against the location's Auth0CACertificateFile
my $mark = log_mark();
$j = mapped(bearer_call($token, GET => "/untrusted/api/users/$BOB"), 502, 'tenant_certificate',
	'a tenant certificate that does not verify');
like $j->{message}, qr/Auth0CACertificateFile/, '... says what to check';
like log_since($mark), qr/TLS: /, '... and the log says what TLS refused';

# an application that is not authorized for the Management API (demo-web-client)
$j = mapped(bearer_call($token, GET => admin_url("/admin/api/users/$BOB", 'auth0_admin2')), 502,
	'management_token_refused', 'no Management token for this application');
like $j->{message}, qr/authorized for the Management API/, '... says what to check';

done_testing;
