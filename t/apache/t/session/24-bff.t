# Two reverse-proxy setups, with httpd's own directives (conf/session.conf, SESSION_API):
#   - backend-for-frontend: the session's access token goes to the proxied API as "Authorization: Bearer"
#     (mod_headers, from AUTH0_ACCESS_TOKEN); the client's own Authorization header never does, and where
#     there is no token there is no header (never "Bearer (null)");
#   - one location for the site (session cookie) and for API clients (bearer tokens): <If> on the
#     Authorization header switches to AuthType Auth0Bearer, and a bearer request is judged by its token
#     alone: an invalid one is refused even next to a valid session cookie.
# The access token stays out of the logs.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
use Auth0Test::Api;
use Test::More;

reset_tenant();
autologin('alice@example.com');

my $site = url('SESSION_API', '');
my $mark = log_mark();
my $b    = browser();
my $res  = $b->visit("$site/bff/page");
is $res->code, 200, 'a login through the proxied location';
my $token = json_of($b->get("$site/echo"))->{AUTH0_ACCESS_TOKEN} // '';
like $token, qr/^[\w-]+\.[\w-]+\.[\w-]+$/, 'the session holds a JWT access token';
ok grep({ $_ eq API_AUDIENCE } @{decode_jwt($token)->{aud} // []}), '... for the API';

# ---- backend-for-frontend -------------------------------------------------------------------------------------
{
	my $env = json_of($b->get("$site/bff/page"));
	is $env->{REQUEST_URI}, '/with-auth/page', 'the backend serves the page';
	is $env->{HTTP_AUTHORIZATION}, "Bearer $token", '... and gets the session\'s access token as a bearer token';
	is $env->{HTTP_X_AUTH0_SUB}, ALICE, '... and the identity headers';
	is $env->{HTTP_X_AUTH0_ACCESS_TOKEN}, $token, '... and the token as X-Auth0-Access-Token (Auth0PassAccessToken On)';
	$env = json_of($b->get("$site/bff/page", Authorization => 'Bearer mallory'));
	is $env->{HTTP_AUTHORIZATION}, "Bearer $token", 'a client\'s own bearer token is replaced';
	$env = json_of($b->get("$site/bff/page", Authorization => 'Basic bWFsbG9yeTpzZWNyZXQ='));
	is $env->{HTTP_AUTHORIZATION}, "Bearer $token", '... and so is any other Authorization header';
	$env = json_of($b->get("$site/bff/once/page"));
	is $env->{HTTP_AUTHORIZATION}, "Bearer $token", 'RequestHeader unset X-Auth0-Access-Token: the token as Authorization';
	ok !exists $env->{HTTP_X_AUTH0_ACCESS_TOKEN}, '... only';
	is $env->{HTTP_X_AUTH0_SUB}, ALICE, '... with the identity headers';

	# no token: a location for another API (the session's token is not for it), no session at all
	$res = $b->get("$site/bff/other-api/page", Authorization => 'Bearer mallory');
	is $res->code, 200, 'a location for another API: served';
	$env = json_of($res);
	is $env->{HTTP_X_AUTH0_SUB}, ALICE, '... to the signed-in user';
	ok !exists $env->{HTTP_X_AUTH0_ACCESS_TOKEN}, '... without an access token';
	ok !exists $env->{HTTP_AUTHORIZATION}, '... so without an Authorization header (not "Bearer (null)"), '
	  . 'and not the client\'s';
	$env = json_of(browser()->get("$site/bff/pass/page", Authorization => 'Bearer mallory'));
	is $env->{REQUEST_URI}, '/with-auth/pass/page', 'Auth0Unauthenticated pass without a session: served';
	ok !exists $env->{HTTP_AUTHORIZATION}, '... without the client\'s Authorization header';
	ok !exists $env->{HTTP_X_AUTH0_SUB}, '... and without an identity';
}

# ---- Auth0PassIDToken: the session's ID token to backends, which may verify the identity themselves ----------
{
	my @spoof = ('X-Auth0-ID-Token' => 'evil', 'X-Spoof' => 'mallory');
	my $res = $b->get("$site/who/echo", @spoof);
	my $env = json_of($res);
	my $id  = $env->{AUTH0_ID_TOKEN} // '';
	like $id, qr/^[\w-]+\.[\w-]+\.[\w-]+$/, 'Auth0PassIDToken On: the backend gets a JWT as AUTH0_ID_TOKEN';
	is decode_jwt($id)->{sub}, ALICE, '... whose sub is the user\'s';
	is $env->{REMOTE_USER}, ALICE, '... REMOTE_USER';
	is decode_jwt($id)->{aud}, 'demo-web-client', '... an ID token (for the application), not the access token';
	is $env->{HTTP_X_AUTH0_ID_TOKEN}, $id, '... and as X-Auth0-ID-Token, the client\'s replaced';
	unlike $res->content, qr/evil/, '... the client\'s is gone';
	is $env->{AUTH0_SPOOF_CONTROL}, 'mallory', '... (SetEnvIf ran, and its AUTH0_ID_TOKEN did not stay)';

	$env = json_of($b->get("$site/who/headers/echo"));
	is $env->{HTTP_X_AUTH0_ID_TOKEN}, $id, 'Auth0PassClaimsAs headers: the ID token as a header';
	ok !exists $env->{AUTH0_ID_TOKEN}, '... only';

	for my $case (['Auth0PassIDToken Off', "$site/who/off/echo", $b], ['by default', "$site/echo", $b],
	              ['Auth0Unauthenticated pass without a session', "$site/who/pass/echo", browser()]) {
		my ($what, $url, $who) = @$case;
		$res = $who->get($url, @spoof);
		is $res->code, 200, "$what: 200";
		$env = json_of($res);
		ok !exists $env->{AUTH0_ID_TOKEN}, '... no AUTH0_ID_TOKEN (and not SetEnvIf\'s)';
		ok !exists $env->{HTTP_X_AUTH0_ID_TOKEN}, '... no X-Auth0-ID-Token (and not the client\'s)';
	}
	is json_of($b->get("$site/who/off/echo", @spoof))->{AUTH0_SPOOF_CONTROL}, 'mallory', '... (SetEnvIf ran there)';

	# an internal redirect (an error document) keeps the identity, but not what its location does not pass
	$env = json_of($b->get("$site/who/err/missing", @spoof));
	is $env->{REMOTE_USER}, ALICE, 'an error document in a location without the tokens: the user';
	is_deeply [grep { /ID_TOKEN|ACCESS_TOKEN|REMOTE_USER$/ && !/^REMOTE_USER$/ } sort keys %$env], [],
		'... neither token nor the user header followed (no AUTH0_ID_TOKEN, ACCESS_TOKEN, REDIRECT_ copies)';
	$env = json_of($b->get("$site/plainerr/missing", 'X-Remote-User' => 'mallory'));
	is $env->{HTTP_X_REMOTE_USER}, ALICE, 'an error document in a location with Auth0UserHeader: its header, the user';
	ok $env->{AUTH0_ID_TOKEN}, '... and the ID token it passes';

	# sessions keep the ID token only on a host with Auth0PassIDToken On (the ID token is about as long as the
	# rest of the session): SESSION has none, so its whole session cookie is shorter than the token alone
	my $other = browser();
	is $other->visit(url('SESSION', '/echo'))->code, 200, 'a login on a host without Auth0PassIDToken';
	my $n = 0;
	$other->jar->scan(sub { $n += length($_[2]) if $_[1] =~ /^__Host-auth0_session/ });
	ok $n > 0 && $n < length($id), "... its session cookie ($n bytes) is shorter than the ID token (" . length($id)
	  . ' bytes): it is not kept there';
}

# ---- one location, two ways in: session cookie or bearer token -----------------------------------------------
my ($bob, $forged);
{
	$bob = user_token(username => 'bob@example.com', password => 'Bob-Passw0rd!');
	my ($head, $payload, $sig) = split /\./, $bob;
	$forged = join '.', $head, $payload, tamper($sig);

	my $env = json_of($b->get("$site/mixed/page", Accept => 'application/json'));
	is $env->{HTTP_X_TEST_AUTH_TYPE}, 'Auth0', 'the session cookie alone: a session request';
	is $env->{HTTP_X_AUTH0_SUB}, ALICE, '... for its user';
	is $env->{HTTP_X_AUTH0_EMAIL}, 'alice@example.com', '... with the ID token\'s claims';
	is $env->{HTTP_AUTHORIZATION}, "Bearer $token", '... and the session\'s access token to the backend';

	$res = browser()->get("$site/mixed/page", Authorization => "Bearer $bob", Accept => 'application/json');
	is $res->code, 200, 'a valid bearer token alone: 200';
	$env = json_of($res);
	is $env->{HTTP_X_TEST_AUTH_TYPE}, 'Auth0Bearer', '... a bearer request';
	is $env->{HTTP_X_AUTH0_SUB}, BOB, '... for the token\'s subject';
	is $env->{HTTP_AUTHORIZATION}, "Bearer $bob", '... and the backend gets that token';

	$env = json_of($b->get("$site/mixed/page", Authorization => "Bearer $bob", Accept => 'application/json'));
	is $env->{HTTP_X_TEST_AUTH_TYPE}, 'Auth0Bearer', 'a valid bearer token next to a session cookie: the token counts';
	is $env->{HTTP_X_AUTH0_SUB}, BOB, '... its subject, not the session\'s user';
	ok !exists $env->{HTTP_X_AUTH0_EMAIL}, '... nor the session\'s claims';
	unlike $env->{HTTP_COOKIE} // '', qr/auth0_session/, '... and the backend does not get the session cookie';

	for my $case (['a forged bearer token', "Bearer $forged"], ['... with the scheme in lower case', "bearer $forged"],
	              ['an empty bearer token', 'Bearer'], ['another scheme', 'Basic YWxpY2U6eA==']) {
		my ($what, $header) = @$case;
		$res = $b->get("$site/mixed/page", Authorization => $header, Accept => 'application/json');
		is $res->code, $header =~ /^Bearer$/ ? 400 : 401, "$what next to a valid session cookie: refused";
		like www_authenticate($res), qr/^Bearer realm=/, '... as a bearer request';
		unlike $res->content, qr/REQUEST_URI/, '... the backend never sees it';
	}
	like www_authenticate($b->get("$site/mixed/page", Authorization => "Bearer $forged")), qr/error="invalid_token"/,
		'a forged token: invalid_token';

	$res = browser()->get("$site/mixed/page", Accept => 'application/json');
	is $res->code, 401, 'neither: 401';
	is www_authenticate($res), 'Auth0 realm="login"', '... with the session\'s challenge';

	# Require auth0-permission: the session's access token (Auth0Audience), or the bearer token
	is $b->get("$site/mixed/read/x", Accept => 'application/json')->code, 200,
		'auth0-permission read:messages: the session\'s access token has it';
	$res = $b->get("$site/mixed/delete/x", Accept => 'application/json');
	is $res->code, 401, '... not delete:messages: 401';
	is www_authenticate($res), 'Auth0 realm="login"', '... with the session\'s challenge';
	is browser()->get("$site/mixed/read/x", Authorization => "Bearer $bob")->code, 200, '... a bearer token with it';
	$res = browser()->get("$site/mixed/delete/x", Authorization => "Bearer $bob");
	is $res->code, 401, '... and one without: 401';
	like www_authenticate($res), qr/error="insufficient_scope"/, '... insufficient_scope';
	$env = json_of(browser()->get("$site/mixed/read/x", Authorization => "Bearer $bob"));
	is $env->{REQUEST_URI}, '/with-auth/read/x', '... (the backend serves the sub-location)';
}

# ---- the tokens stay out of the logs (the locations log at auth0:trace8) -------------------------------------
{
	my $log = log_since($mark);
	like $log, qr/mod_auth0: .*(?:invalid|signature)/i, 'the error log has the module\'s lines of these requests';
	my $access = t_dir() . '/logs/access_log';
	open my $fh, '<', $access or die "$access: $!";
	my $all = do { local $/; <$fh> };
	close $fh;
	for my $case (['the session\'s access token', $token], ['a valid bearer token', $bob], ['a forged one', $forged]) {
		my ($what, $jwt) = @$case;
		my ($sig) = $jwt =~ /([^.]+)$/;
		unlike $log, qr/\Q$sig\E/, "the error log never shows $what";
		unlike $all, qr/\Q$sig\E/, '... nor does the access log';
	}
}

# ---- start-up checks: README's example is accepted; without Auth0Audience it is refused, as any bearer location -
{
	my $api = <<'EOC';
<Location /api/>
    AuthType Auth0
    Auth0PassAccessToken On
    Auth0Unauthenticated 401
    Require auth0-permission read:messages
    <If "-n %{HTTP:Authorization}">
        AuthType Auth0Bearer
    </If>
    ProxyPass http://127.0.0.1:8080/api/
    RequestHeader unset Authorization
    RequestHeader set Authorization "Bearer %{AUTH0_ACCESS_TOKEN}e" env=AUTH0_ACCESS_TOKEN
</Location>
EOC
	my $site_wide = "Auth0Audience https://api.example.com/\nAuth0Scope openid profile email offline_access read:messages\n";
	my ($st, $out) = httpd_check(app_directives() . $site_wide . $api);
	is $st, 0, 'the example of README.md: accepted' or diag $out;
	($st, $out) = httpd_check(app_directives() . $api);
	isnt $st, 0, '... without Auth0Audience: refused';
	like $out, qr/in <If> at .* in <Location \/api\/> of .*: Auth0Audience is required for AuthType Auth0Bearer/,
		'... naming the <If> section';
}

done_testing();
