# Auth0SessionRevalidate: a session is checked again at the tenant once the interval has passed since its
# last check (its login): with a refresh token by renewing it (a blocked user's refresh is refused: the
# session ends; a changed claim comes with the new ID token), without one at /userinfo (a 401 ends it, a
# failure of the tenant's keeps it). Where the directive is not set, nothing is checked. The interval is at
# least 10 s (15 s here): every session is signed in first, then one bounded wait of the interval.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
use Auth0Test::Api qw(token);
use HTTP::Request;
use JSON::PP ();
use LWP::UserAgent;
use Test::More;
use Time::HiRes qw(time);

reset_tenant();
settings(access_token_lifetime => 3600);    # no renewal falls due during the test: what renews is a check
my $REFRESH  = 'POST /oauth/token grant=refresh_token';
my $USERINFO = 'GET /userinfo';

# The tenant's Management API changes a user (as an admin would in the Dashboard).
sub update_user {
	my ($id, $fields) = @_;
	my $mgmt = token(grant_type => 'client_credentials', client_id => 'demo-m2m-client',
		client_secret => 'demo-m2m-secret', audience => tenant_url() . '/api/v2/')->{access_token};
	my $ua = LWP::UserAgent->new(timeout => 30, ssl_opts => {SSL_ca_file => $ENV{AUTH0_TEST_CA_FILE}});
	$ua->env_proxy(0);
	$ua->no_proxy('127.0.0.1', 'localhost');
	return $ua->request(HTTP::Request->new(PATCH => tenant_url() . '/api/v2/users/' . $id,
		['Authorization' => "Bearer $mgmt", 'Content-Type' => 'application/json'], JSON::PP->new->encode($fields)));
}

# the directive's checks at start-up
my (undef, $short) = httpd_check(app_directives() . "Auth0SessionRevalidate 9\n");
like $short, qr/Auth0SessionRevalidate.*at least 10 seconds/s, 'Auth0SessionRevalidate under 10 s is refused';
my ($off) = httpd_check(app_directives() . "Auth0SessionRevalidate Off\n");
is $off, 0, '... Off is taken';

my $port = free_port();
my ($h, $out) = httpd_start(app_site(port => $port, vhost => 'Auth0Scope "openid profile email offline_access"',
                                     after => <<'EOA'));
<Location /reval>
    Auth0SessionRevalidate 15s
</Location>
<Location /plain>
    Auth0Scope "openid profile email"
    Auth0SessionRevalidate 15
</Location>
<Location /plain/off>
    Auth0SessionRevalidate Off
</Location>
EOA
ok $h, 'an httpd with Auth0SessionRevalidate 15s at /reval and /plain (no refresh token there)' or BAIL_OUT($out);
my $base = "https://127.0.0.1:$port";

sub env_of { my ($res) = @_; return $res->code == 200 ? json_of($res) : {} }

# the sessions, each signed in at its own place
autologin('alice@example.com');
my $t0 = time;
my $blocked = browser();
is env_of($blocked->visit("$base/reval/echo"))->{REMOTE_USER}, ALICE, 'alice signed in at /reval (refresh token)';
my $unchecked = browser();
is env_of($unchecked->visit("$base/echo"))->{REMOTE_USER}, ALICE,
	'alice signed in again, at / (no Auth0SessionRevalidate)';
autologin('bob@example.com');
my $renamed = browser();
my $was = env_of($renamed->visit("$base/reval/echo"));
is $was->{REMOTE_USER}, BOB, 'bob signed in at /reval';
ok $was->{HTTP_X_AUTH0_NAME}, "... named $was->{HTTP_X_AUTH0_NAME}";
my ($refused, $kept, $off_user) = (browser(), browser(), browser());
is env_of($_->visit("$base/plain/echo"))->{REMOTE_USER}, BOB, 'bob signed in at /plain (no refresh token)'
	for $refused, $kept;
is env_of($off_user->visit("$base/plain/off/echo"))->{REMOTE_USER}, BOB, '... and at /plain/off';

# before the interval: nothing is asked
my ($n, $u) = (counter($REFRESH), counter($USERINFO));
is $blocked->get("$base/reval/echo")->code, 200, 'before the interval, a request at /reval';
is $kept->get("$base/plain/echo")->code, 200, '... and at /plain';
is counter($REFRESH) - $n, 0, '... renews nothing';
is counter($USERINFO) - $u, 0, '... nor asks /userinfo';

is update_user(ALICE, {blocked => JSON::PP::true})->code, 200, 'alice blocked at the tenant';
is update_user(BOB, {name => 'Robert Renamed'})->code, 200, 'bob renamed';

ok wait_until(30, sub { time >= $t0 + 15.5 }), 'the interval after the logins';

# with a refresh token
($n, $u) = (counter($REFRESH), counter($USERINFO));
my $res = $blocked->get("$base/reval/echo");
is $res->code, 302, 'the blocked user\'s session is checked, refused: a new login';
like $res->header('Location'), qr{/authorize\?}, '... at the tenant';
is counter($REFRESH) - $n, 1, '... by a renewal';
$res = $unchecked->get("$base/echo");
is $res->code, 200, 'without Auth0SessionRevalidate, the blocked user\'s other session goes on';
is counter($REFRESH) - $n, 1, '... unchecked';
$res = $renamed->get("$base/reval/echo");
is $res->code, 200, 'the renamed user\'s session is checked';
is env_of($res)->{HTTP_X_AUTH0_NAME}, 'Robert Renamed', '... and the new name reaches the identity headers';
is counter($REFRESH) - $n, 2, '... by a renewal';
is env_of($renamed->get("$base/reval/echo"))->{HTTP_X_AUTH0_NAME}, 'Robert Renamed', '... and is kept';
is counter($REFRESH) - $n, 2, '... which is not made again before the next interval';

# without one: /userinfo
fault({path => '/userinfo', status => 503, body => '{}'});
$res = $kept->get("$base/plain/echo");
is $res->code, 200, '/userinfo unavailable (503): the session goes on';
is counter($USERINFO) - $u, 1, '... after one attempt';
is $kept->get("$base/plain/echo")->code, 200, '... and the next request too';
is counter($USERINFO) - $u, 1, '... without asking again at once (it backs off)';
fault({path => '/userinfo', status => 401, headers => {'WWW-Authenticate' => 'Bearer error="invalid_token"'},
       body => 'Unauthorized', times => 0});
$res = $refused->get("$base/plain/echo");
is $res->code, 302, '/userinfo refuses the token (401): a new login';
is counter($USERINFO) - $u, 2, '... after asking it';
is $off_user->get("$base/plain/off/echo")->code, 200, 'Auth0SessionRevalidate Off in a nested location: not checked';
is counter($USERINFO) - $u, 2, '... at all';
clear_faults();

httpd_stop($h);
reset_tenant();
done_testing();
