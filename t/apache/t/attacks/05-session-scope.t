# Attack matrix: a session used beyond what it was made for. The session cookie is valid, but it is
# presented where the login would have been held to more: a location with Auth0Organization (made
# without an organization, or by a user outside it), a location with another Auth0Audience (the session
# holds no access token for that API, or one for another API), another host name served with the same
# application, secret and cookie name.
#
# A case passes when the session is not honoured there: an API request gets 401 (or 403 from a Require),
# a navigation starts a login for that location, and no access token of another API reaches the backend;
# controls (the session where it was made) keep working.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
use Auth0Test::Attacks;
use Auth0Test::Matrix;
use JSON::PP ();
use Test::More;

reset_tenant();
autologin('alice@example.com');
my $m = Auth0Test::Matrix->new('attacks');
my $JSON = JSON::PP->new;
my $G = 'session scope (a valid session used beyond its login)';
$m->group($G, about => 'a valid session presented at a location with Auth0Organization or another Auth0Audience, '
	. 'or under another host name with the same application, secret and cookie name',
	expected => 'not honoured there (401/403, or a new login); no other API\'s token passed on; controls work');

# GET $path as an API request (or a navigation with nav => 1): (status, REMOTE_USER, env, response)
sub get {
	my ($jar, $path, %o) = @_;
	my @h = $o{nav} ? (Accept => 'text/html', 'Sec-Fetch-Mode' => 'navigate') : (Accept => 'application/json');
	my $res = raw_request(port => 'ATTACK', target => $path, host => $o{host}, headers => [@h, Cookie => jar_header($jar)]);
	my $env = $res->{status} == 200 ? eval { $JSON->decode($res->{body})->{ENV} } // {} : {};
	return ($res->{status}, $env->{REMOTE_USER}, $env, $res);
}

sub honoured {
	my ($case, $jar, $path, $who, %o) = @_;
	my ($st, $user, $env) = get($jar, $path, %o);
	my $ok = $st == 200 && ($user // '') eq $who;
	$ok &&= $env->{AUTH0_ACCESS_TOKEN} if $o{token};
	$m->case(group => $G, case => "control: $case", target => "GET $path", expected => "200 as $who",
		observed => "$st" . ($user ? " as $user" : '') . ($env->{AUTH0_ACCESS_TOKEN} ? ', with a token' : ''), pass => $ok);
}

sub refused {
	my ($case, $jar, $path, %o) = @_;
	my ($st, $user, $env, $res) = get($jar, $path, %o);
	my $token = $env->{AUTH0_ACCESS_TOKEN} || $env->{HTTP_X_AUTH0_ACCESS_TOKEN};
	my $ok = ($st == 401 || $st == 403) && !$token;
	my $obs = "$st" . ($user ? " as $user" : '') . ($token ? ', A TOKEN WAS PASSED ON' : '');
	if ($o{nav}) {
		my $loc = hdr($res, 'Location') // '';
		$ok = $st == 302 && index($loc, tenant_url() . '/authorize?') == 0;
		$ok &&= (query_param($loc, 'organization') // '') eq $o{org} if $o{org};
		$obs = "$st to " . ($loc =~ m{^https?://[^/]+(/[^?]*)} ? $1 : $loc) . ($o{org} ? ' organization=' . (query_param($loc, 'organization') // '-') : '');
	}
	$m->case(group => $G, case => $case, target => "GET $path" . ($o{nav} ? ' (navigation)' : ''),
		expected => $o{nav} ? 'a new login for this location' : '401/403, no token passed on', observed => $obs, pass => $ok);
}

# ---- Auth0Organization --------------------------------------------------------------------------------------
my $alice = login('ATTACK') or BAIL_OUT('cannot sign in');
honoured('a session made at /, used at /', $alice, '/cgi/x', ALICE);
refused('a session made without an organization, at a location with Auth0Organization', $alice, '/org/x');
refused('... as a navigation: a login into the organization', $alice, '/org/x', nav => 1, org => 'org_acme123');
autologin('bob@example.com');
my $bob = login('ATTACK') or BAIL_OUT('cannot sign bob in');
autologin('alice@example.com');
refused('a session of a user outside the organization, at its location', $bob, '/org/x');
my $alice_org = login('ATTACK', target => '/org/login') or BAIL_OUT('cannot sign in at /org/');
honoured('a session made at the organization\'s location, used there', $alice_org, '/org/x', ALICE);
honoured('... and elsewhere on the site', $alice_org, '/cgi/x', ALICE);

# ---- Auth0Audience ------------------------------------------------------------------------------------------
refused('a session without an API token, at a location with Auth0Audience and Require auth0-permission', $alice, '/aud/x');
my $alice_aud = login('ATTACK', target => '/aud/login') or BAIL_OUT('cannot sign in at /aud/');
honoured('a session made at the API\'s location, used there (with its token)', $alice_aud, '/aud/x', ALICE, token => 1);
refused('a session holding a token for another API, at a location with Auth0Audience', $alice_aud, '/aud-other/x');
{
	my ($st, $user, $env) = get($alice_aud, '/token/x');
	$m->case(group => $G, case => 'control: the API token passed on where no Auth0Audience is set', target => 'GET /token/x',
		expected => '200 with the token', observed => "$st" . ($env->{AUTH0_ACCESS_TOKEN} ? ', with a token' : ''),
		pass => $st == 200 && $env->{AUTH0_ACCESS_TOKEN});
}

# ---- another host name --------------------------------------------------------------------------------------
honoured('the session under the host name it was made for', $alice, '/cgi/x', ALICE, host => '127.0.0.1:' . aport('ATTACK'));
refused('the session under another host name of the same configuration', $alice, '/cgi/x', host => 'localhost:' . aport('ATTACK'));

ok alive('ATTACK'), 'httpd still answers';
$m->summary;
done_testing();
