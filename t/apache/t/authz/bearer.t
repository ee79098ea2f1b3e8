# Require auth0-* on an API (AuthType Auth0Bearer): every form alone and
# combined, with client-credentials and user access tokens from the tenant.
use strict;
use warnings FATAL => 'all';

use Test::More;
use FindBin;
use lib "$FindBin::Bin/../../lib";
use Auth0Test;
use Auth0Test::Api;

my $V     = 'AUTHZ';
my $REALM = 'Bearer realm="https://api.example.com/"';
my $DENY  = qq{$REALM, error="insufficient_scope", error_description="The access token does not grant access to this resource"};

reset_tenant();
tweak_next_token(claims => {
	app_metadata             => {plan => 'gold', employee_id => 1001},
	'https://example.com/app' => {plan => 'gold'},
	flag                     => JSON::PP::true(),
	name                     => 'Alice Liddell',
});
my %t = (
	m2m     => m2m_token(scope => 'read:messages write:messages'),    # with the claims above
	plain   => m2m_token(scope => 'read:messages'),
	alice   => user_token(),                                           # role admin: read+write permissions
	bob     => user_token(username => 'bob@example.com', password => 'Bob-Passw0rd!'),    # role reader
	acme    => m2m_token(organization => 'org_acme123'),
);

# expect(PATH, {token => CODE...}): each token's status on PATH; a 401 or 403 of a denial has no body of ours.
sub expect {
	my ($path, %want) = @_;
	for my $who (sort keys %want) {
		my $res = bearer_get($V, $path, $t{$who});
		is($res->code, $want{$who}, "$path as $who: $want{$who}") or diag www_authenticate($res);
		like($res->content, qr/"REMOTE_USER"/, "$path as $who: the backend ran") if $want{$who} == 200;
	}
}

expect('/valid', m2m => 200, bob => 200);
expect('/claim-sub', m2m => 200, alice => 200, bob => 401);
expect('/claim-any', m2m => 200, alice => 200, acme => 200);
expect('/claim-array', m2m => 200, alice => 200, bob => 401);
expect('/claim-nested', m2m => 200, plain => 401, alice => 401);
expect('/claim-url', alice => 200, bob => 401, m2m => 401);
expect('/claim-url-path', m2m => 200, plain => 401);
expect('/claim-number', m2m => 200, plain => 401);
expect('/claim-bool', m2m => 200, plain => 401);
expect('/claim-quoted', m2m => 200, alice => 401);
expect('/match-sub', alice => 200, bob => 401, m2m => 401);
expect('/match-array', alice => 200, bob => 401, m2m => 401);
expect('/match-number', m2m => 200, plain => 401);
expect('/scope-read', m2m => 200, plain => 200, alice => 200, bob => 200);
expect('/scope-both', m2m => 200, plain => 401, alice => 401);
expect('/perm-read', m2m => 200, alice => 200, bob => 200);
expect('/perm-both', m2m => 200, alice => 200, bob => 401);
expect('/role-admin', alice => 200, bob => 401, m2m => 401);
expect('/role-any', alice => 200, bob => 200, m2m => 401);
expect('/org-id', acme => 200, m2m => 401);
expect('/org-name', acme => 200, m2m => 401);
expect('/org-other', acme => 401);
expect('/all', alice => 200, bob => 401, m2m => 401);
expect('/any', alice => 200, m2m => 200, bob => 401);
expect('/none', alice => 200, bob => 401, m2m => 401);
expect('/ip-or-scope', m2m => 200, plain => 401, alice => 401);

# the answers of a denial
{
	my $res = bearer_get($V, '/role-admin', $t{bob});
	is(www_authenticate($res), $DENY, 'denied: insufficient_scope');
	$res = bearer_get($V, '/scope-both', $t{plain});
	is(www_authenticate($res), qq{$DENY, scope="read:messages write:messages"}, 'denied by scope: the scopes needed');
	$res = bearer_get($V, '/forbidden', $t{m2m});
	is($res->code, 403, 'AuthzSendForbiddenOnFailure On: 403');
	$res = bearer_get($V, '/scope-read', undef);
	is($res->code, 401, 'no token: 401');
	is(www_authenticate($res), $REALM, 'no token: realm only');
	$res = bearer_get($V, '/ip-or-scope', undef);
	is($res->code, 401, 'RequireAny with a user-less provider: no token, 401');
	is(www_authenticate($res), $REALM, 'RequireAny: realm only');
	$res = bearer_get($V, '/none', 'not-a-jwt');
	is($res->code, 401, 'RequireNone: a bad token is refused');
}

# Require auth0-role without Auth0RolesClaim: a configuration error, logged
{
	my $mark = log_mark();
	my $res  = bearer_get($V, '/role-unset', $t{alice});
	is($res->code, 500, 'auth0-role without Auth0RolesClaim: 500');
	like(log_since($mark), qr/Require auth0-role needs Auth0RolesClaim/, 'auth0-role without Auth0RolesClaim: logged');
}

# malformed Require lines stop httpd at start-up
{
	my $site = <<"EOC";
<Location /x>
    AuthType Auth0Bearer
    Auth0Domain 127.0.0.1:1
    Auth0Audience https://api.example.com/
    REQUIRE
</Location>
EOC
	for my $case (
		['Require auth0-claim', qr/Require auth0-claim needs a claim name and at least one value/],
		['Require auth0-claim sub', qr/Require auth0-claim needs a claim name and at least one value/],
		['Require auth0-scope', qr/Require auth0-scope needs at least one scope/],
		['Require auth0-scope "read:messages write:messages"', qr/'read:messages write:messages' is not one scope/],
		['Require auth0-permission', qr/Require auth0-permission needs at least one permission/],
		['Require auth0-role', qr/Require auth0-role needs at least one role/],
		['Require auth0-org', qr/Require auth0-org needs at least one organization/],
		['Require auth0-claim-match email', qr/Require auth0-claim-match needs a claim name and at least one regular/],
		['Require auth0-claim-match email (unclosed', qr/'\(unclosed' is not a regular expression/],
	) {
		my ($line, $re) = @$case;
		(my $conf = $site) =~ s/REQUIRE/$line/;
		my ($status, $out) = httpd_check($conf);
		isnt($status, 0, "'$line': httpd refuses to start");
		like($out, $re, "'$line': the message says why");
	}
	my ($status, $out) = httpd_check($site =~ s/REQUIRE/Require auth0-claim app_metadata.plan gold "two words"/r);
	is($status, 0, 'a good line passes') or diag $out;
}

done_testing();
