# SetHandler auth0-session-info: who is signed in and until when, as JSON, for the site's own scripts;
# never a token; 401 to a script without a session, 403 where there is no session to describe.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
use Test::More;

reset_tenant();
autologin('alice@example.com');
my %JSON = (Accept => 'application/json');

for my $case (['cookie', url('SESSION', '')], ['cache', url('SESSION_CACHE', '')]) {
	my ($store, $site) = @$case;
	my $b = browser();
	$b->visit("$site/echo");
	my $before = time;
	my $res = $b->get("$site/session-info", %JSON);
	is $res->code, 200, "$store store: 200";
	like $res->header('Content-Type') // '', qr{^application/json}, '... JSON';
	like $res->header('Cache-Control') // '', qr/no-store/, '... not cached';
	my $info = json_of($res);
	is $info->{user}, ALICE, '... the user';
	is $info->{claims}{email}, 'alice@example.com', '... the claims';
	ok !exists $info->{claims}{nonce}, '... without the login\'s single-use values';
	is $info->{session}{store}, $store, '... the store';
	ok $info->{session}{created} <= time && $info->{session}{created} > $before - 60, '... when it began';
	my $left = $info->{session}{expires_at} - time;
	ok $left > 0 && $left <= $info->{session}{idle_timeout}, "... when it ends ($left s from now)";
	unlike $res->content, qr/eyJ/, '... and no token (nothing that looks like a JWT)';
	is $b->request(POST => "$site/session-info", content => 'x=1')->code, 405, "$store store: POST is 405";
}

my $site = url('SESSION', '');
is browser()->get("$site/session-info", %JSON)->code, 401, 'a script without a session: 401';
my $mark = log_mark();
my $res = browser()->get("$site/pass/session-info", %JSON);
is $res->code, 403, 'Auth0Unauthenticated pass without a session: 403';
is json_of($res)->{error}, 'no_session', '... no_session';
# expected there (a page's script asking whether anyone is signed in): no error in the log for each one
unlike log_since($mark), qr/\[[^\]]*:error\].*auth0-session-info/, '... and not logged as an error';

# an organization and an access token for an API
my $b = browser();
$b->visit(url('SESSION_OPTS', '/echo'));
my $info = json_of($b->get(url('SESSION_OPTS', '/session-info'), %JSON));
is $info->{organization}{id}, 'org_acme123', 'the organization of the session';
$b = browser();
$b->visit(url('SESSION_API', '/echo'));
$info = json_of($b->get(url('SESSION_API', '/session-info'), %JSON));
ok $info->{access_token}{expires_at} > time, 'the access token\'s expiry, for an API audience';
like $info->{access_token}{scope} // '', qr/\S/, '... its scope';
ok !exists $info->{access_token}{token} && $b->get(url('SESSION_API', '/session-info'), %JSON)->content !~ /eyJ/,
	'... never the token';

done_testing;
