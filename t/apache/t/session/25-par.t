# Auth0PushedAuthorizationRequests: a login's parameters go to the tenant's POST /oauth/par with the
# application's client authentication, and the browser goes to /authorize with the request_uri alone. An
# application that the tenant requires to use PAR logs in only so; the tenant failing or refusing the push
# answers the error pages a code exchange would.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
use Auth0Test::Api ();
use JSON::PP ();
use Test::More;
use Time::HiRes qw(time);
use URI;

reset_tenant();
autologin('alice@example.com');
my $PAR = 'POST /oauth/par';

# The query of the redirect a first request for a protected page gets.
sub login_redirect {
	my ($b, $url) = @_;
	my $res = $b->get($url);
	is $res->code, 302, 'a page navigation without a session is sent to log in';
	my $to = URI->new($res->header('Location') // '');
	return ($to, {$to->query_form});
}

# By default, the parameters travel in the URL and nothing is pushed.
my ($h, $base) = app_site_start('# Auth0PushedAuthorizationRequests off by default');
my $pushed = counter($PAR);
my ($to, $q) = login_redirect(browser(), "$base/echo");
ok $q->{state} && $q->{nonce} && $q->{code_challenge} && $q->{redirect_uri}, 'off: the URL carries the login';
is counter($PAR) - $pushed, 0, '... and nothing is pushed';
httpd_stop($h);

# On: one push per login started, the browser carries client_id and request_uri only, and the login completes.
($h, $base) = app_site_start('Auth0PushedAuthorizationRequests on');
$pushed = counter($PAR);
($to, $q) = login_redirect(browser(), "$base/echo?x=1");
is $to->path, '/authorize', 'on: the browser goes to /authorize';
is_deeply [sort keys %$q], [qw(client_id request_uri)], '... with client_id and request_uri alone';
like $q->{request_uri} // '', qr/^urn:ietf:params:oauth:request_uri:/, '... a request_uri of the tenant';
is counter($PAR) - $pushed, 1, '... after one pushed authorization request';
my $b = browser();
my $res = $b->visit("$base/echo?x=1");
is $res->code, 200, 'the login completes';
is json_of($res)->{REMOTE_USER}, ALICE, '... as the user';
is json_of($res)->{QUERY_STRING}, 'x=1', '... and lands on the page it began at';
is json_of($b->get("$base/echo"))->{REMOTE_USER}, ALICE, '... and the session serves the next request';

# The tenant failing or refusing the push: the error pages of a code exchange, and no transaction cookie left.
fault({path => '/oauth/par', status => 503, times => 1});
$res = browser()->get("$base/echo");
is $res->code, 503, 'the tenant answering 503 to the push: 503';
like $res->decoded_content, qr/Sign-in service unavailable/, '... the tenant-unavailable page';
ok !(grep {/auth0_txn/ && !/Max-Age=0/} $res->header('Set-Cookie')), '... and no login transaction is kept';
fault({path => '/oauth/par', action => 'malformed', times => 1});
is browser()->get("$base/echo")->code, 502, 'a malformed answer to the push: 502';
clear_faults();
httpd_stop($h);

# A login whose transaction cannot be kept (a link's organization too long for its cookie) is refused
# before anything is pushed, with the page a login without PAR gets.
($h, $base) = app_site_start("Auth0PushedAuthorizationRequests on\nAuth0LoginPath /login");
$pushed = counter($PAR);
$res = browser()->get("$base/login?organization=" . ('a' x 2000));
is $res->code, 400, 'a login whose transaction is too large to keep: 400';
like $res->decoded_content, qr/too long to sign in with/, '... the page of a login without PAR';
ok !(grep {/auth0_txn/} $res->header('Set-Cookie')), '... no login transaction';
is counter($PAR) - $pushed, 0, '... and nothing pushed';
httpd_stop($h);

# The tenant rate-limiting the pushes (429): the logins of the application wait what it asks (Retry-After,
# held to 1-300 s; 10 s when it does not say), answering 503 with Retry-After and the tenant-unavailable page
# without pushing, in every process (the wait is in the shared cache); a silent login goes on anonymously.
# No retries here, so that each login is one push.
my $LIMITED = "Auth0PushedAuthorizationRequests on\nAuth0HTTPRetries 0";
my %NAV = ('Sec-Fetch-Mode' => 'navigate', 'Sec-Fetch-Dest' => 'document', 'Sec-Fetch-Site' => 'none');
($h, $base) = app_site_start($LIMITED, after => "<Location /public/>\nAuth0Unauthenticated pass\nAuth0SilentLogin On\n</Location>");
fault({path => '/oauth/par', preset => 'rate_limit', retry_after => 3600, times => 0});
$pushed = counter($PAR);
$res = browser()->get("$base/echo?rl=1");
is $res->code, 503, 'a 429 to the push: 503';
is $res->header('Retry-After'), 300, '... with Retry-After: the tenant\'s 3600 s, held to 300';
like $res->decoded_content, qr/Sign-in service unavailable/, '... and the tenant-unavailable page';
is counter($PAR) - $pushed, 1, '... after one push';
clear_faults();  # a push now would succeed: only the wait answers 503
for my $i (1 .. 4) {
	$res = browser()->get("$base/echo?rl=1&i=$i");
	is $res->code, 503, "a login while the wait lasts ($i): 503";
	my $left = $res->header('Retry-After') // '';
	ok $left =~ /^[0-9]+$/ && $left >= 1 && $left <= 300, '... with the rest of the wait in Retry-After' or diag $left;
	like $res->decoded_content, qr/Sign-in service unavailable/, '... and the tenant-unavailable page';
	ok !(grep {/auth0_txn/} $res->header('Set-Cookie')), '... and no login transaction';
}
$res = browser()->get("$base/public/echo", %NAV);
is $res->code, 200, 'a silent login while the wait lasts: the page, anonymously';
is json_of($res)->{REMOTE_USER} // '', '', '... without a user';
ok set_cookie_lines($res, '__Host-auth0_session_silent'), '... once it was tried (its cookie)';
is counter($PAR) - $pushed, 1, 'nothing was pushed while the wait lasted';
httpd_stop($h);

($h, $base) = app_site_start($LIMITED);
fault({path => '/oauth/par', status => 429, body => '{"error":"too_many_requests","error_description":"Global limit has been reached"}'});
$res = browser()->get("$base/echo");
is $res->code, 503, 'a 429 without Retry-After or X-RateLimit-Reset: 503';
is $res->header('Retry-After'), 10, '... with a wait of 10 s';
httpd_stop($h);

# A wait of 1 s: the first login after it pushes again (polled, at most 10 s).
($h, $base) = app_site_start($LIMITED);
fault({path => '/oauth/par', preset => 'rate_limit', retry_after => 1});
$pushed = counter($PAR);
my $limited_at = time;
$res = browser()->get("$base/echo?rl=2");
is $res->code, 503, 'a 429 with Retry-After: 1: 503';
is $res->header('Retry-After'), 1, '... with Retry-After: 1';
my ($waited, $polls) = (0, 0);
my $after = wait_until(10, sub { $polls++; $res = browser()->get("$base/echo?rl=2"); $waited = time - $limited_at; $res->code == 302 });
ok $after, 'after the wait, a login starts';
cmp_ok $waited, '>=', 0.9, '... no sooner than the wait\'s end' or diag "$polls logins in $waited s";
is(URI->new($res->header('Location') // '')->path, '/authorize', '... at the tenant');
is counter($PAR) - $pushed, 2, '... with the second push: none while the wait lasted';
clear_faults();
httpd_stop($h);

($h, $base) = app_site_start('Auth0PushedAuthorizationRequests on', client_secret => 'not-the-web-secret-0123456789');
my $mark = length log_of($h);
$res = browser()->get("$base/echo");
is $res->code, 502, 'the push refused (invalid_client): 502';
like $res->decoded_content, qr/Sign-in is not available/, '... saying sign-in is not available';
like substr(log_of($h), $mark), qr/the pushed authorization request failed: /, '... and the log says why';
unlike log_of($h), qr/not-the-web-secret/, '... without the secret';
httpd_stop($h);

# An application the tenant requires to use PAR (require_pushed_authorization_requests): without
# the directive the tenant refuses the login, with it the login completes.
my $patch = Auth0Test::Api::update_client('demo-web-client', {require_pushed_authorization_requests => JSON::PP::true});
is $patch->code, 200, 'the tenant requires PAR of the application (Management API)' or diag $patch->decoded_content;

($h, $base) = app_site_start('# Auth0PushedAuthorizationRequests off');
$res = browser()->visit("$base/echo");
is $res->code, 400, 'without the directive, the tenant refuses the login';
like $res->decoded_content, qr/Pushed Authorization Requests are required/, '... as PAR is required';
httpd_stop($h);

($h, $base) = app_site_start('Auth0PushedAuthorizationRequests on');
$res = browser()->visit("$base/echo");
is $res->code, 200, 'with it, the login completes';
is json_of($res)->{REMOTE_USER}, ALICE, '... as the user';
httpd_stop($h);

reset_tenant();
done_testing();
