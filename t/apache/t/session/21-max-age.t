# Auth0MaxAge: where a location needs a recent login, a session whose login (the ID token's auth_time) is
# older logs in again with max_age on a navigation, gets 401 insufficient_user_authentication with max_age
# from a script, and a login the tenant answers with an old auth_time again stops at a 403 page instead of
# looping. Sessions keep auth_time in both stores.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
use Test::More;
use URI;
use URI::QueryParam;

reset_tenant();
autologin('alice@example.com');
my $old = time - 3600;

for my $case (['cookie', url('SESSION', '')], ['cache', url('SESSION_CACHE', '')]) {
	my ($store, $site) = @$case;

	my $b = browser();
	is $b->visit("$site/echo")->code, 200, "$store store: a fresh login";
	is $b->visit("$site/recent/echo")->code, 200, '... counts on an Auth0MaxAge 10m page';
	ok !grep({ $_->request->uri->path eq '/authorize' } $b->chain), '... without another login';

	tweak_tokens({which => 'id', claims => {auth_time => $old}});
	$b = browser();
	is $b->visit("$site/echo")->code, 200, "$store store: signed in with a login an hour old";
	my $res = $b->get("$site/recent/echo", Accept => 'application/json');
	is $res->code, 401, "$store store: a script on an Auth0MaxAge page: 401";
	like $res->header('WWW-Authenticate') // '', qr/error="insufficient_user_authentication", max_age="600"$/,
		'... insufficient_user_authentication, with the max_age to satisfy';
	$res = $b->get("$site/recent/echo");
	is $res->code, 302, "$store store: a navigation logs in again";
	my $to = URI->new($res->header('Location'));
	is $to->path, '/authorize', '... at the tenant';
	is $to->query_param('max_age'), 600, '... with max_age';
	$res = $b->visit("$site/recent/echo");
	is $res->code, 200, "$store store: after a new login the page is served";
	is json_of($res)->{REMOTE_USER}, ALICE, '... to the same user';
	is $res->request->uri->path, '/recent/echo', '... where it began';
	is $b->get("$site/recent/echo")->code, 200, '... and again without another login';
	is $b->get("$site/echo")->code, 200, '... and the other pages too';
}

# a session whose ID token had no auth_time: its age is unknown, it logs in again
my $site = url('SESSION', '');
tweak_tokens({which => 'id', claims => {auth_time => undef}});
my $b = browser();
$b->visit("$site/echo");
is $b->get("$site/recent/echo")->code, 302, 'a login of unknown age (no auth_time) logs in again';
is $b->visit("$site/recent/echo")->code, 200, '... and a new one counts';

# a tenant that answers the new login with an old auth_time again: the login stops at a page, no loop
tweak_tokens({which => 'id', claims => {auth_time => $old}}, {which => 'id', claims => {auth_time => $old}});
$b = browser();
$b->visit("$site/echo");
my $mark = log_mark();
my $res = $b->visit("$site/recent/echo");
is $res->code, 403, 'a new login that comes back as old: 403, not a loop';
like $res->decoded_content, qr/needs a recent sign-in/, '... with a page that says why';
is scalar(grep { $_->request->uri->path eq '/authorize' } $b->chain), 1, '... after one login only';
like log_since($mark), qr/older than Auth0MaxAge 600 s.*\n(?s:.*)auth_time/m, '... both logged';
is $b->get("$site/echo")->code, 200, 'the session made before still serves the other pages';

# the first login of a page that needs a recent one asks for it (max_age), instead of a second login after
$b = browser();
$res = $b->get("$site/recent/echo");
is $res->code, 302, 'no session on an Auth0MaxAge page: a login';
is(URI->new($res->header('Location'))->query_param('max_age'), 600, '... that asks for max_age at once');
is $b->visit("$site/recent/echo")->code, 200, '... and one login does';
is scalar(grep { $_->request->uri->path eq '/authorize' } $b->chain), 1, '... one, not two';

# a session just past Auth0MaxAge but within the leeway the callback gives auth_time still counts (a clock
# ahead of the tenant's must not send the user round again)
tweak_tokens({which => 'id', claims => {auth_time => time - 600 - 30}});
$b = browser();
$b->visit("$site/echo");
is $b->get("$site/recent/echo")->code, 200, 'a login 30 s past Auth0MaxAge counts (within the 60 s leeway)';
tweak_tokens({which => 'id', claims => {auth_time => time - 600 - 90}});
$b = browser();
$b->visit("$site/echo");
is $b->get("$site/recent/echo")->code, 302, '... 90 s past it does not';

# an internal redirect from an ordinary page into an Auth0MaxAge one does not inherit an old login
tweak_tokens({which => 'id', claims => {auth_time => $old}});
$b = browser();
$b->visit("$site/echo");
$mark = log_mark();
is $b->get("$site/to-recent")->code, 403, 'an internal redirect into an Auth0MaxAge page with an old login: 403';
like log_since($mark), qr/reached by a sub-request or internal redirect, asks more of the identity than its parent's page/,
	'... logged';
is $b->get("$site/echo")->code, 200, '... while the session still serves the ordinary pages';

# a form posted with an old session to an Auth0MaxAge page that keeps forms: kept across the new login
my $origin = 'https://127.0.0.1:' . port('SESSION');
$res = $b->request(POST => "$site/recent/keep/echo", Origin => $origin, content => 'note=kept+across');
is $res->code, 302, 'a form posted with an old login where Auth0PreservePost is on: a new login';
is(URI->new($res->header('Location'))->query_param('max_age'), 600, '... with max_age');
$res = $b->visit("$site/recent/keep/echo", content => 'note=kept+across', headers => {Origin => $origin});
like $res->decoded_content, qr/<input type="hidden" name="note" value="kept across">/, '... and the form comes back';
$res = $b->request(POST => "$site/recent/keep/echo", Origin => $origin, content => 'note=kept+across');
is json_of($res)->{BODY}, 'note=kept+across', '... and reaches the page with the new login';

done_testing;
