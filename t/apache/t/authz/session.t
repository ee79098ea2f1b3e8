# Require auth0-* for browser sessions: ID-token claims (profile, namespaced
# roles) and the claims of the session's access token (scope, RBAC
# permissions), alone and combined.
use strict;
use warnings FATAL => 'all';

use Test::More;
use FindBin;
use lib "$FindBin::Bin/../../lib";
use Auth0Test;

my $site = url('AUTHZ2', '');

reset_tenant();
sub session_of {
	my ($email) = @_;
	autologin($email);
	my $b   = browser();
	my $res = $b->visit("$site/valid");
	return ($b, $res);
}
my ($alice, $res) = session_of('alice@example.com');
is($res->code, 200, 'alice signed in');
is(json_of($res)->{REMOTE_USER}, ALICE, 'alice is the user');
my ($bob, $bres) = session_of('bob@example.com');
is(json_of($bres)->{REMOTE_USER}, BOB, 'bob signed in');

my %b = (alice => $alice, bob => $bob);

# expect(PATH, WHO => 1 (granted) or 0 (denied), ...)
sub expect {
	my ($path, %want) = @_;
	for my $who (sort keys %want) {
		my $r = $b{$who}->get("$site$path");
		if ($want{$who}) {
			is($r->code, 200, "$path as $who: granted");
			is(json_of($r)->{REMOTE_USER}, $who eq 'alice' ? ALICE : BOB, "$path as $who: the backend ran for $who");
		} else {
			ok($r->code == 401 || $r->code == 403, "$path as $who: denied") or diag $r->code;
			# RFC 7235: a 401 names the scheme that would get through
			is($r->header('WWW-Authenticate'), 'Auth0 realm="login"', "$path as $who: 401 with a challenge")
			  if $r->code == 401;
			unlike($r->decoded_content, qr/REMOTE_USER/, "$path as $who: the backend did not run");
		}
	}
}

# ID-token claims
expect('/claim-sub', alice => 1, bob => 0);
expect('/claim-quoted', alice => 1, bob => 0);
expect('/match-sub', alice => 1, bob => 0);
expect('/match-array', alice => 1, bob => 0);
expect('/claim-verified', alice => 1, bob => 1);
expect('/claim-url', alice => 1, bob => 0);
expect('/role-admin', alice => 1, bob => 0);
expect('/role-any', alice => 1, bob => 1);
expect('/claim-nested', alice => 0, bob => 0);
expect('/org-id', alice => 0);
# access-token claims (the session asked for https://api.example.com/)
expect('/claim-array', alice => 1, bob => 0);
expect('/scope-read', alice => 1, bob => 1);
expect('/scope-both', alice => 0, bob => 0);
expect('/perm-read', alice => 1, bob => 1);
expect('/perm-both', alice => 1, bob => 0);
# combinations
expect('/all', alice => 1, bob => 0);
expect('/any', alice => 1, bob => 0);
expect('/none', alice => 1, bob => 0);
expect('/ip-or-scope', alice => 0, bob => 0);

# the identity of a session reaches the backend; spoofed identity headers do not
{
	local $HTTP::Headers::TRANSLATE_UNDERSCORE = 0;
	my $r = $alice->get("$site/valid", 'X-Auth0-sub' => 'evil', 'X_Auth0_Email' => 'evil', 'X-Auth0-Foo_Bar' => 'evil',
		'X-Auth0-Foo-Bar' => 'evil');
	my $env = json_of($r);
	is($env->{HTTP_X_AUTH0_SUB}, ALICE, 'session: X-Auth0-sub');
	is($env->{AUTH0_CLAIM_email}, 'alice@example.com', 'session: AUTH0_CLAIM_email');
	is($env->{AUTH0_CLAIM_name}, 'Alice Liddell', 'session: a space inside a value is kept');
	is($env->{AUTH0_CLAIM_example_com_roles}, 'admin', 'session: namespaced roles');
	is($env->{HTTP_X_AUTH0_FOO_BAR}, undef, 'session: the CGI collision is gone');
	unlike($r->decoded_content, qr/evil/, 'session: no spoofed value');
}

# without a session, Require auth0-* sends browsers to log in, APIs get a 401
{
	my $anon = browser();
	my $r = $anon->get("$site/scope-read");
	is($r->code, 302, 'no session, a page: redirect to log in');
	like($r->header('Location') // '', qr{/authorize\?}, 'to the tenant');
	$r = $anon->get("$site/scope-read", Accept => 'application/json');
	is($r->code, 401, 'no session, an API call: 401');
	$r = $anon->get("$site/none", Accept => 'application/json');
	is($r->code, 401, 'no session under RequireNone: 401, not granted');
}

done_testing();
