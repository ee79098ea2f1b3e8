# The identity mod_auth0 passes to backends (REMOTE_USER, claims as headers
# through mod_proxy and as CGI variables, the access token), its encoding of
# UTF-8, arrays and objects, and the removal of every spoofed identity header
# or variable, whatever its spelling.
use strict;
use warnings FATAL => 'all';

use Test::More;
use FindBin;
use lib "$FindBin::Bin/../../lib";
use Auth0Test;
use Auth0Test::Api;

my $V = 'BEARER';

reset_tenant();
my $m2m = m2m_token();
my $SUB = 'demo-m2m-client@clients';

# Response headers whose names start with x-auth0 / x_auth0 / x-user (any case): lower-cased name =>
# [values]. (The backend echoes what it received; names keep their - or _, not their case.)
sub echoed {
	my ($res, $re) = @_;
	$re //= qr/^x[-_](?:auth0|user)[-_]/i;
	my %h;
	$res->headers->scan(sub { push @{$h{lc $_[0]}}, $_[1] if $_[0] =~ $re });
	return \%h;
}

# ---- through the proxy --------------------------------------------------------------------------------
{
	tweak_next_token(claims => {
		name                        => "Zo\x{eb} \x{4e16}\x{754c}",
		'https://example.com/groups' => ['eng', 'ops,dev', "caf\x{e9}"],
		app_metadata                => {plan => 'gold', n => 1001, tags => ['a', 'b']},
		flag                        => JSON::PP::true(),
		count                       => 42,
		ratio                       => 0.5,
		empty                       => '',
		evil                        => "x\r\nX-Injected: 1",
		'weird name/x'              => 'w',
		' padded '                  => ' p ',
		nested                      => [[1, 2], {k => 'v'}],
	});
	my $token = m2m_token();
	my $res   = bearer_get($V, '/api/x', $token);
	is($res->code, 200, 'proxied request with a token: 200');
	my $h = echoed($res);
	my $env = json_of($res);
	is_deeply($h->{'x-auth0-sub'}, [$SUB], 'backend got X-Auth0-sub');
	is($env->{HTTP_X_AUTH0_SUB}, $SUB, 'backend CGI sees HTTP_X_AUTH0_SUB');
	is($env->{REMOTE_USER}, undef, 'REMOTE_USER does not cross a proxy (headers do)');
	is_deeply($h->{'x-auth0-name'}, ['Zo%C3%AB %E4%B8%96%E7%95%8C'], 'UTF-8 percent-encoded');
	is_deeply($h->{'x-auth0-example-com-groups'}, ['eng,ops%2Cdev,caf%C3%A9'],
		'namespaced array claim: joined with , and , inside elements encoded');
	like($h->{'x-auth0-app-metadata'}[0], qr/^\{"[^ ]+\}$/, 'object as compact JSON');
	is_deeply(JSON::PP->new->decode($h->{'x-auth0-app-metadata'}[0]), {plan => 'gold', n => 1001, tags => ['a', 'b']},
		'object: its JSON decodes to the claim');
	is_deeply($h->{'x-auth0-flag'}, ['true'], 'boolean');
	is_deeply($h->{'x-auth0-count'}, ['42'], 'integer');
	is_deeply($h->{'x-auth0-ratio'}, ['0.5'], 'real');
	is_deeply($h->{'x-auth0-empty'}, [''], 'empty string: an empty header');
	is_deeply($h->{'x-auth0-evil'}, ['x%0D%0AX-Injected: 1'], 'CR LF encoded');
	ok(!defined $res->header('X-Injected'), 'no header injected');
	is($env->{HTTP_X_INJECTED}, undef, 'backend saw no injected header');
	is_deeply($h->{'x-auth0-weird-name-x'}, ['w'], 'name characters outside [A-Za-z0-9-] become -');
	is_deeply($h->{'x-auth0--padded-'}, ['%20p%20'], 'edge spaces of values encoded');
	is_deeply($h->{'x-auth0-nested'}, ['[[1,2],{"k":"v"}]'], 'array of non-scalars as JSON');
	ok(!exists $h->{'x-auth0-access-token'}, 'no access token unless Auth0PassAccessToken');
}

# ---- spoofing, in every spelling, through the proxy ------------------------------------------------------
{
	my @spoof = (
		'X-Auth0-sub'           => 'evil1',
		'x-auth0-SUB'           => 'evil2',
		'X_Auth0_sub'           => 'evil3',
		'X-AUTH0_SUB'           => 'evil4',
		'X-Auth0-Email'         => 'evil5@example.com',
		'x_auth0_email'         => 'evil6@example.com',
		'X-Auth0-Foo_Bar'       => 'evil7',
		'X-Auth0-Foo-Bar'       => 'evil8',
		'X-Auth0-Access-Token'  => 'evil9',
		'X_AUTH0_ACCESS_TOKEN'  => 'evil10',
		'X-Auth0-Access-Token-Expires' => 'evil13',
		'X-Auth0-Roles'         => ['evil11', 'evil12'],
	);
	my $res = bearer_get($V, '/api/x', $m2m, @spoof);
	is($res->code, 200, 'spoofing attempt with a valid token: 200');
	my $h = echoed($res);
	my $all = join "\n", map { my $n = $_; map { "$n: $_" } @{$h->{$n}} } sort keys %$h;
	unlike($all . $res->content, qr/evil/, 'no spoofed value reached the backend (headers or CGI environment)');
	is_deeply($h->{'x-auth0-sub'}, [$SUB], 'X-Auth0-sub is the real one, once');
	my @subs = grep { /^x[-_]auth0[-_]sub$/i } keys %$h;
	is_deeply(\@subs, ['x-auth0-sub'], 'one spelling of the sub header');
	my $env = json_of($res);
	is($env->{HTTP_X_AUTH0_FOO_BAR}, undef, 'CGI collision (X-Auth0-Foo_Bar / X-Auth0-Foo-Bar): neither survives');
	is($env->{HTTP_X_AUTH0_SUB}, $SUB, 'CGI of the backend: real sub');

	# the same without a token: nothing reaches the backend at all
	$res = bearer_get($V, '/api/x', undef, @spoof);
	is($res->code, 401, 'spoofing without a token: 401');
	unlike($res->content, qr/evil/, 'spoofing without a token: nothing echoed');
}

# ---- another prefix; the default one is still removed -------------------------------------------------------
{
	my $res = bearer_get($V, '/prefix/x', $m2m, 'X-User-sub' => 'evil', 'x_user_SUB' => 'evil', 'X-Auth0-sub' => 'evil');
	my $h = echoed($res);
	unlike(join(' ', map { @$_ } values %$h) . $res->content, qr/evil/, 'Auth0ClaimHeaderPrefix X-User-: no spoofed value');
	is_deeply($h->{'x-user-sub'}, [$SUB], 'X-User-sub set');
	is_deeply($h->{'x-user-access-token'}, [$m2m], 'X-User-Access-Token with Auth0PassAccessToken On');
	ok(!grep({ /^x[-_]auth0/i } keys %$h), 'no X-Auth0- header at all');
}

# ---- CGI variables --------------------------------------------------------------------------------------------
{
	my $res = bearer_get($V, '/cgi/x', $m2m, 'X-Auth0-Foo_Bar' => 'evil', 'X-Auth0-Foo-Bar' => 'evil2',
		'X-Auth0-Access-Token' => 'evil3');
	my $env = json_of($res);
	is($env->{REMOTE_USER}, $SUB, 'CGI: REMOTE_USER');
	is($env->{AUTH0_CLAIM_sub}, $SUB, 'CGI: AUTH0_CLAIM_sub');
	is($env->{HTTP_X_AUTH0_SUB}, $SUB, 'CGI: HTTP_X_AUTH0_SUB');
	is($env->{HTTP_X_AUTH0_FOO_BAR}, undef, 'CGI: the Foo_Bar/Foo-Bar collision is gone');
	is($env->{AUTH0_ACCESS_TOKEN}, $m2m, 'CGI: AUTH0_ACCESS_TOKEN is the real token');
	is($env->{HTTP_X_AUTH0_ACCESS_TOKEN}, $m2m, 'CGI: the access-token header is the real token');
	unlike($res->content, qr/evil/, 'CGI: no spoofed value');

	tweak_next_token(claims => {access_token => 'a claim', 'Access-Token' => 'another', 'e_mail' => 'x', 'https://example.com/e-mail' => 'y',
		'Access-Token-Expires' => 'a claim too'});
	my $t = m2m_token();
	$env = json_of(bearer_get($V, '/cgi/x', $t));
	is($env->{AUTH0_ACCESS_TOKEN}, $t, 'a claim named access_token does not pose as the token (variable)');
	is($env->{HTTP_X_AUTH0_ACCESS_TOKEN}, $t, 'a claim named access_token does not pose as the token (header)');
	like($env->{HTTP_X_AUTH0_ACCESS_TOKEN_EXPIRES} // '', qr/^[0-9]+$/,
		'a claim named Access-Token-Expires does not pose as its expiry (header)');
	is($env->{AUTH0_CLAIM_Access_Token_Expires}, undef, '... nor as a claim variable');
	is($env->{AUTH0_CLAIM_e_mail}, 'x', 'claims mapping to one name: the first wins');
}
{
	my $env = json_of(bearer_get($V, '/cgi-headers/x', $m2m));
	is($env->{HTTP_X_AUTH0_SUB}, $SUB, 'Auth0PassClaimsAs headers: header');
	ok(!grep({ /^AUTH0_CLAIM_/ } keys %$env), 'Auth0PassClaimsAs headers: no variables');
	is($env->{AUTH0_ACCESS_TOKEN}, undef, 'no access token by default');

	$env = json_of(bearer_get($V, '/cgi-env/x', $m2m));
	is($env->{AUTH0_CLAIM_sub}, $SUB, 'Auth0PassClaimsAs env: variable');
	ok(!grep({ /^HTTP_X_AUTH0_/ } keys %$env), 'Auth0PassClaimsAs env: no headers');

	$env = json_of(bearer_get($V, '/cgi-only/x', $m2m));
	is_deeply([sort grep { /^AUTH0_CLAIM_/ } keys %$env], [qw(AUTH0_CLAIM_gty AUTH0_CLAIM_sub)],
		'Auth0PassClaims sub gty: those claims only (variables)');
	is_deeply([sort grep { /^HTTP_X_AUTH0_/ } keys %$env], [qw(HTTP_X_AUTH0_GTY HTTP_X_AUTH0_SUB)],
		'Auth0PassClaims sub gty: those claims only (headers)');
	is($env->{REMOTE_USER}, $SUB, 'Auth0PassClaims: REMOTE_USER as before');
	$env = json_of(bearer_get($V, '/cgi-only/all/x', $m2m));
	ok($env->{AUTH0_CLAIM_azp} && $env->{AUTH0_CLAIM_iss}, 'Auth0PassClaims all (the same token, cached): every claim again');
	$env = json_of(bearer_get($V, '/cgi-none/x', $m2m));
	is($env->{REMOTE_USER}, $SUB, 'Auth0PassClaimsAs none: REMOTE_USER still');
	ok(!grep({ /^(?:AUTH0_CLAIM_|HTTP_X_AUTH0_(?!ACCESS_TOKEN))/ } keys %$env), 'Auth0PassClaimsAs none: no claims');
	is($env->{AUTH0_ACCESS_TOKEN}, $m2m, 'Auth0PassClaimsAs none + Auth0PassAccessToken: variable');
	is($env->{HTTP_X_AUTH0_ACCESS_TOKEN}, $m2m, 'Auth0PassClaimsAs none + Auth0PassAccessToken: header');
}
{
	# variables set from client input before authentication (SetEnvIf) are removed too
	my $res = bearer_get($V, '/cgi-setenv/x', $m2m, 'X-Spoof' => 'evil');
	my $env = json_of($res);
	is($res->code, 200, 'SetEnvIf location: 200');
	is($env->{AUTH0_CLAIM_role}, undef, 'AUTH0_CLAIM_role set by SetEnvIf from a client header: removed');
	is($env->{AUTH0_ACCESS_TOKEN}, undef, 'AUTH0_ACCESS_TOKEN set by SetEnvIf: removed');
	is($env->{AUTH0_ACCESS_TOKEN_EXPIRES}, undef, 'AUTH0_ACCESS_TOKEN_EXPIRES set by SetEnvIf: removed');
	is($env->{AUTH0_CLAIM_sub}, $SUB, 'our own variables are there');
	is($env->{SPOOF_CONTROL}, 'evil', 'SetEnvIf itself ran (control)');
}

# ---- internal redirects -----------------------------------------------------------------------------------------
{
	my @spoof = ('X-Auth0-sub' => 'evil', 'X_Auth0_Email' => 'evil');
	my $res = bearer_get($V, '/redir-protected/x', $m2m, @spoof);
	is($res->code, 200, 'internal redirect from a protected location: 200');
	my $env = json_of($res);
	is($env->{REMOTE_USER}, $SUB, 'internal redirect: the identity is inherited');
	is($env->{HTTP_X_AUTH0_SUB}, $SUB, 'internal redirect: the identity headers are kept');
	unlike($res->content, qr/evil/, 'internal redirect: no spoofed value');

	$res = bearer_get($V, '/redir-open/x', $m2m, @spoof);
	is($res->code, 200, 'internal redirect from an open location: 200');
	$env = json_of($res);
	is($env->{REMOTE_USER}, $SUB, 'from an open location: authenticated at the target');
	is($env->{HTTP_X_AUTH0_SUB}, $SUB, 'from an open location: identity headers');
	unlike($res->content, qr/evil/, 'from an open location: no spoofed value');
	is(bearer_get($V, '/redir-open/x', undef, @spoof)->code, 401, 'from an open location without a token: 401');

	# a token checked for one API (or without an organization) does not count for another's location
	is(bearer_get($V, '/redir-other-audience/x', $m2m)->code, 403,
	   'internal redirect into a location of another audience: 403, the token was not checked for it');
	is(bearer_get($V, '/redir-org/x', $m2m)->code, 403,
	   'internal redirect into a location that asks for an organization: 403');
	# nor does it count as a browser session (a session location's admin API would skip its CSRF check)
	is(bearer_get($V, '/cgi-session/x', $m2m, Accept => 'application/json')->code, 401,
	   'a bearer token sent to a session location: 401');
	is(bearer_get($V, '/redir-session/x', $m2m, Accept => 'application/json')->code, 403,
	   'internal redirect from a bearer location into a session location: 403, a token is not a session');
}

# ---- sub-requests from a location without mod_auth0 into one with it -------------------------------------
{
	my @spoof = ('X-Auth0-Role' => 'admin', 'X-Auth0-sub' => 'evil');
	my $res = bearer_get('BEARER2', '/ssi/page.shtml', $m2m, @spoof);
	is($res->code, 200, 'an SSI include of a bearer location: 200');
	my $env = json_of($res);
	is($env->{REMOTE_USER}, $SUB, '... the include is authenticated there');
	is($env->{HTTP_X_AUTH0_ROLE}, undef, '... the client\'s X-Auth0-Role is gone from its copy of the headers');
	is($env->{HTTP_X_AUTH0_SUB}, $SUB, '... and X-Auth0-sub is the token\'s');

	# mod_dir runs the index it found with the request's own headers and no user (httpd's fast redirect)
	$res = bearer_get('BEARER2', '/public/', $m2m, @spoof);
	is($res->code, 200, 'a DirectoryIndex into a bearer location: 200');
	$env = json_of($res);
	is($env->{HTTP_X_AUTH0_ROLE}, undef, '... no client X-Auth0-Role reaches the CGI');
	isnt($env->{HTTP_X_AUTH0_SUB} // '', 'evil', '... nor its X-Auth0-sub');
}

# ---- Auth0UserHeader: REMOTE_USER as a request header; a client's copy never gets through --------------------
{
	# every spelling a CGI takes for HTTP_X_REMOTE_USER, and SetEnvIf's copies of the variables (X-Spoof)
	my @spoof = ('X-Remote-User' => 'evil1', 'x_remote_user' => 'evil2', 'X-REMOTE_USER' => 'evil3',
		'X-Spoof' => 'mallory');
	my $res = bearer_get($V, '/cgi-user/x', $m2m, @spoof);
	is($res->code, 200, 'Auth0UserHeader, a bearer token: 200');
	my $env = json_of($res);
	is($env->{REMOTE_USER}, 'demo-m2m-client', '... REMOTE_USER as Auth0UserClaim\'s expression makes it');
	is($env->{HTTP_X_REMOTE_USER}, 'demo-m2m-client', '... X-Remote-User is REMOTE_USER, the client\'s replaced');
	unlike($res->content, qr/evil/, '... no spelling of the client\'s header reached the CGI');
	is($env->{SPOOF_CONTROL}, 'mallory', '... (SetEnvIf ran)');
	is($env->{AUTH0_ID_TOKEN}, undef, '... Auth0PassIDToken On passes no ID token with a bearer token, nor '
		. 'SetEnvIf\'s AUTH0_ID_TOKEN');
	is($env->{HTTP_X_AUTH0_ID_TOKEN}, undef, '... nor an X-Auth0-ID-Token header');

	$res = bearer_get($V, '/cgi-user/pass/x', undef, @spoof);
	is($res->code, 200, 'Auth0Unauthenticated pass, no token: 200');
	$env = json_of($res);
	is($env->{REMOTE_USER} // '', '', '... without a user');
	is($env->{HTTP_X_REMOTE_USER}, undef, '... and without X-Remote-User, the client\'s or SetEnvIf\'s');
	unlike($res->content, qr/evil/, '... in any spelling');
	is($env->{SPOOF_CONTROL}, 'mallory', '... (SetEnvIf ran)');

	$res = bearer_get($V, '/cgi-user/pass/x', $m2m, @spoof);
	is(json_of($res)->{HTTP_X_REMOTE_USER}, 'demo-m2m-client', '... and with a token there: the real one');

	$res = bearer_request('OPTIONS', $V, '/cgi-user/x', undef, Origin => 'https://spa.example',
		'Access-Control-Request-Method' => 'GET', @spoof);
	is($res->code, 200, 'a CORS preflight let through to the backend (Auth0CORSPreflight backend): 200');
	$env = json_of($res);
	is($env->{HTTP_X_REMOTE_USER}, undef, '... without X-Remote-User');
	unlike($res->content, qr/evil/, '... in any spelling');

	$env = json_of(bearer_get($V, '/cgi-user/none/x', $m2m));
	is($env->{REMOTE_USER}, 'demo-m2m-client', 'Auth0UserHeader none: REMOTE_USER still');
	is($env->{HTTP_X_REMOTE_USER}, undef, '... no X-Remote-User');

	$env = json_of(bearer_get($V, '/cgi/x', $m2m, 'X-Remote-User' => 'not ours'));
	is($env->{HTTP_X_REMOTE_USER}, 'not ours', 'without Auth0UserHeader the header is not ours: left alone');

	# a claim does not pose as the ID token
	tweak_next_token(claims => {'ID-Token' => 'a claim', id_token => 'another'});
	$env = json_of(bearer_get($V, '/cgi/x', m2m_token()));
	is($env->{HTTP_X_AUTH0_ID_TOKEN}, undef, 'a claim named ID-Token or id_token is not passed as X-Auth0-ID-Token');
	ok(!grep({ /^AUTH0_CLAIM_id_token$/i } keys %$env), '... nor as AUTH0_CLAIM_ID_Token');
}

# ---- the same for a session --------------------------------------------------------------------------------------
{
	autologin('alice@example.com');
	my $site = url('SESSION_API', '');
	my $b    = browser();
	is($b->visit("$site/who/echo")->code, 200, 'Auth0UserHeader, a session: logged in');
	my @spoof = ('X-Remote-User' => 'evil1', 'X-Spoof' => 'mallory');
	my $res = $b->get("$site/who/echo", @spoof);
	my $env = json_of($res);
	is($env->{REMOTE_USER}, ALICE, '... REMOTE_USER');
	is($env->{HTTP_X_REMOTE_USER}, ALICE, '... X-Remote-User is REMOTE_USER, the client\'s replaced');
	unlike($res->content, qr/evil/, '... the client\'s is gone');
	is($env->{AUTH0_SPOOF_CONTROL}, 'mallory', '... (SetEnvIf ran)');

	$res = browser()->get("$site/who/pass/echo", @spoof);
	is($res->code, 200, 'Auth0Unauthenticated pass without a session: 200');
	$env = json_of($res);
	is($env->{HTTP_X_REMOTE_USER}, undef, '... without X-Remote-User, the client\'s or SetEnvIf\'s');
	is($env->{AUTH0_SPOOF_CONTROL}, 'mallory', '... (SetEnvIf ran)');
	is(json_of($b->get("$site/who/pass/echo", @spoof))->{HTTP_X_REMOTE_USER}, ALICE,
		'... with a session: the real one');

	$res = browser()->request(OPTIONS => "$site/who/echo", Origin => 'https://spa.example',
		'Access-Control-Request-Method' => 'GET', @spoof);
	is($res->code, 200, 'a CORS preflight to a session location let through to the backend: 200');
	$env = json_of($res);
	is($env->{HTTP_X_REMOTE_USER}, undef, '... without X-Remote-User');
}

# ---- start-up checks -------------------------------------------------------------------------------------------
{
	my ($st, $out) = httpd_check(app_directives() . "Auth0UserHeader X-Remote-User\nAuth0PassIDToken On\n");
	is($st, 0, 'Auth0UserHeader X-Remote-User, Auth0PassIDToken On: accepted') or diag $out;
	refused_at_start(free_port(), "Auth0UserHeader \"X Remote\"", qr/Auth0UserHeader: 'X Remote' is not a header name/);
	refused_at_start(free_port(), 'Auth0UserHeader X-Remote-User:',
		qr/Auth0UserHeader: 'X-Remote-User:' is not a header/);
	refused_at_start(free_port(), 'Auth0UserHeader cookie',
		qr/Auth0UserHeader: 'cookie' is a header the request needs/);
	refused_at_start(free_port(), 'Auth0UserHeader X_Forwarded_User',
		qr/Auth0UserHeader: 'X_Forwarded_User' is a header the request needs for itself \(X-Forwarded-\*\)/);
	refused_at_start(free_port(), app_directives() . 'Auth0UserHeader X-Auth0-User',
		qr/Auth0UserHeader X-Auth0-User begins with the claims' prefix X-Auth0-/);
	refused_at_start(free_port(), app_directives()
		. "<Location /a>\nAuthType Auth0\nAuth0ClaimHeaderPrefix X-User-\n</Location>\nAuth0UserHeader x_user_name",
		qr/in <Location \/a>.*Auth0UserHeader x_user_name begins with the claims' prefix X-User-/);
}

done_testing();
