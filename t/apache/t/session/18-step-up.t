# Auth0RequireMFA: a session made without a second factor steps up (a new login with Auth0's multi-factor
# acr_values) on a navigation, gets 401 insufficient_user_authentication from a script, and a step-up that
# comes back without the factor stops at a 403 page instead of looping.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
use Test::More;
use URI;
use URI::QueryParam;

my $POLICY = 'http://schemas.openid.net/pape/policies/2007/06/multi-factor';
reset_tenant();
autologin('alice@example.com');

for my $case (['cookie', url('SESSION', '')], ['cache', url('SESSION_CACHE', '')]) {
	my ($store, $site) = @$case;
	my $b = browser();
	is $b->visit("$site/echo")->code, 200, "$store store: signed in without a second factor";
	my $res = $b->get("$site/mfa/echo", Accept => 'application/json');
	is $res->code, 401, "$store store: a script on an Auth0RequireMFA page: 401";
	like $res->header('WWW-Authenticate') // '', qr/error="insufficient_user_authentication", acr_values="\Q$POLICY\E"/,
		'... insufficient_user_authentication, with the acr_values to satisfy';
	$res = $b->get("$site/mfa/echo");
	is $res->code, 302, "$store store: a navigation steps up";
	my $to = URI->new($res->header('Location'));
	is $to->path, '/authorize', '... through a new login';
	is $to->query_param('acr_values'), $POLICY, '... asking for multi-factor authentication';
	$res = $b->visit("$site/mfa/echo");
	is $res->code, 200, "$store store: after the second factor, the page is served";
	is json_of($res)->{REMOTE_USER}, ALICE, '... to the same user';
	is $res->request->uri->path, '/mfa/echo', '... where the step-up began';
	is $b->get("$site/mfa/echo")->code, 200, '... and again, without another login';
	is $b->get("$site/echo")->code, 200, '... and the other pages too';
}

# the first login of an Auth0RequireMFA page asks for the second factor at once, instead of a step-up after
my $fresh = browser();
my $first = $fresh->get(url('SESSION', '') . '/mfa/echo');
is $first->code, 302, 'no session on an Auth0RequireMFA page: a login';
is(URI->new($first->header('Location'))->query_param('acr_values'), $POLICY, '... that asks for MFA at once');
is $fresh->visit(url('SESSION', '') . '/mfa/echo')->code, 200, '... and one login does';
is scalar(grep { $_->request->uri->path eq '/authorize' } $fresh->chain), 1, '... one, not two';

# a tenant that ignores acr_values: the step-up comes back without the factor, and stops there
settings(honor_acr_values => 0);
my $site = url('SESSION', '');
my $b = browser();
$b->visit("$site/echo");
my $mark = log_mark();
my $res = $b->visit("$site/mfa/echo");
is $res->code, 403, 'a step-up without the second factor: 403, not a loop';
like $res->decoded_content, qr/multi-factor authentication/, '... with a page that says why';
is scalar(grep { $_->request->uri->path eq '/authorize' } $b->chain), 1, '... after one login only';
like log_since($mark), qr/came back without it/, '... logged';
is $b->get("$site/echo")->code, 200, 'the session made by it serves the other pages';
settings(honor_acr_values => 1);

done_testing;
