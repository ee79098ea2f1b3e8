# Auth0LoginPath: logins started by a link (Auth0's "Application Login URI": organization invitations,
# OpenID Connect third-party initiated login). The link's organization, invitation, login_hint and
# screen_hint go to /authorize; iss must be this tenant; the landing page must be on this site; the ID
# token must be for the organization asked for.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
use Test::More;
use URI;
use URI::QueryParam;
use URI::Escape qw(uri_escape);

reset_tenant();
my $base = url('SESSION', '');
my $opts = url('SESSION_OPTS', '');
my $ORG  = 'org_acme123';

# The /authorize URL a link leads to (the first redirect), as a URI.
sub authorize_of {
	my ($url) = @_;
	my $res = browser()->get($url);
	return ($res, $res->code == 302 ? URI->new($res->header('Location')) : undef);
}

sub refused {
	my ($url, $why, $name) = @_;
	my $res = browser()->get($url);
	is $res->code, 400, "$name: 400";
	like $res->decoded_content, $why, "$name: the page says why";
	ok !grep({ /auth0_txn/ } $res->header('Set-Cookie')), "$name: no login started";
}

# ---- an organization invitation: bob, invited to acme, signs in and is a member
autologin('bob@example.com');
my ($res, $to) = authorize_of("$base/login?invitation=uinv_AcmeInvite00001&organization=$ORG&organization_name=acme");
is $res->code, 302, 'an invitation link starts a login';
is $to->path, '/authorize', '... at the tenant';
is $to->query_param('invitation'), 'uinv_AcmeInvite00001', '... with the invitation';
is $to->query_param('organization'), $ORG, '... and its organization';
my $b = browser();
$res = $b->visit("$base/login?invitation=uinv_AcmeInvite00001&organization=$ORG&returnTo=" . uri_escape('/echo?from=invite'));
is $res->code, 200, 'the invitation is accepted';
my $env = json_of($res);
is $env->{REMOTE_USER}, BOB, '... bob is signed in';
is $env->{AUTH0_CLAIM_org_id}, $ORG, '... into the organization';
is $res->request->uri->path_query, '/echo?from=invite', '... landing where the link said';

# ---- a plain login link, with hints and a landing page
autologin('alice@example.com');
($res, $to) = authorize_of("$base/login?login_hint=alice%40example.com&screen_hint=signup");
is $to->query_param('login_hint'), 'alice@example.com', 'login_hint goes to /authorize';
is $to->query_param('screen_hint'), 'signup', 'screen_hint too';
ok !defined $to->query_param('organization'), 'no organization unless asked for';
$b = browser();
$res = $b->visit("$base/login?iss=" . uri_escape(tenant_url() . '/') . "&target_link_uri=" . uri_escape("$base/echo?t=1"));
is $res->code, 200, 'third-party initiated login (iss and target_link_uri of this site)';
is $res->request->uri->path_query, '/echo?t=1', '... lands on target_link_uri';
$res = browser()->visit("$base/login?iss=" . uri_escape(tenant_url()));
is $res->code, 200, 'iss without its trailing slash is this tenant too';
for my $target ('https://evil.example/', '//evil.example/', "$base.evil.example/", '/\\evil.example') {
	$res = browser()->visit("$base/login?target_link_uri=" . uri_escape($target));
	is $res->request->uri->path, '/', "a landing page elsewhere ($target) lands on Auth0PostLoginURL";
}

# ---- refused links
refused("$base/login?iss=" . uri_escape('https://evil.example/'), qr/another sign-in service/, 'a foreign iss');
refused("$base/login?invitation=uinv_AcmeInvite00001", qr/does not name its organization/, 'an invitation without organization');
refused("$base/login?login_hint=a&login_hint=b", qr/repeats or empties login_hint/, 'a repeated parameter');
refused("$base/login?organization=", qr/repeats or empties organization/, 'an empty parameter');
refused("$base/login?returnTo=%zz", qr/malformed/, 'a bad escape');
refused("$base/login?organization=" . ('a' x 2000), qr/too long to sign in with/,
        'an organization that would make the login\'s cookie too large (over 2 KB)');
refused("$opts/login?organization=org_globex456", qr/another organization/, 'another organization than Auth0Organization');
($res, $to) = authorize_of("$opts/login?organization=acme&invitation=uinv_AcmeInvite00001");
is $res->code, 302, 'the site\'s organization named by its name (the site has its id) is let through';
is $to->query_param('organization'), $ORG, '... and Auth0Organization is what /authorize gets';
$res = browser()->request(POST => "$base/login", content => 'x=1');
is $res->code, 405, 'POST: 405';

# ---- the ID token must be for the organization the link asked for
autologin('alice@example.com');
tweak_tokens({which => 'id', claims => {org_id => 'org_globex456', org_name => 'globex'}});
$b = browser();
my $mark = log_mark();
$res = $b->visit("$base/login?organization=$ORG&returnTo=/echo");
isnt $res->code, 200, 'an ID token for another organization than the link asked for is refused';
like log_since($mark), qr/the ID token was refused .*[Oo]rganization/, '... for its organization';
ok !$b->cookie('__Host-auth0_session'), '... and no session';
control(DELETE => '/__control/tokens');
$res = browser()->visit("$base/login?organization=$ORG&returnTo=/echo");
is json_of($res)->{AUTH0_CLAIM_org_id}, $ORG, 'without the tweak, alice signs in to acme';

done_testing;
