# Auth0LoginPath: logins started by a link (Auth0's "Application Login URI": organization invitations,
# OpenID Connect third-party initiated login). The link's organization, invitation, login_hint and
# screen_hint go to /authorize, and what a site's own links choose (connection, connection_scope, prompt
# but none, ui_locales), each checked; iss must be this tenant; the landing page must be on this site; the
# ID token must be for the organization asked for.
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
($res, $to) = authorize_of("$base/login?login_hint=z%C3%AB%40example.com&screen_hint=reset-password");
is $res->code, 302, 'a login_hint in UTF-8, and a screen_hint with a hyphen';
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

# ---- what a site's own links choose (Auth0's SDKs' list): connection, connection_scope, prompt, ui_locales
autologin('alice@example.com');
($res, $to) = authorize_of("$base/login?connection=github&connection_scope=" . uri_escape('read:user,repo')
                           . "&prompt=select_account&ui_locales=" . uri_escape('fr-CA en'));
is $res->code, 302, 'a "Sign in with GitHub" link starts a login';
is $to->path, '/authorize', '... at the tenant';
is $to->query_param('connection'), 'github', '... connection goes to /authorize';
is $to->query_param('connection_scope'), 'read:user,repo', '... connection_scope too';
is $to->query_param('prompt'), 'select_account', '... prompt too';
is $to->query_param('ui_locales'), 'fr-CA en', '... and ui_locales';
my $google = 'https://www.googleapis.com/auth/contacts.readonly https://www.googleapis.com/auth/calendar.readonly';
($res, $to) = authorize_of("$base/login?connection=google-oauth2&connection_scope=" . uri_escape($google)
                           . '&ui_locales=zh-Hant-TW');
is $to->query_param('connection_scope'), $google, "Google's scopes (URLs, separated by spaces)";
is $to->query_param('connection'), 'google-oauth2', '... for google-oauth2';
is $to->query_param('ui_locales'), 'zh-Hant-TW', 'a language tag of three subtags';
for my $prompt (qw(login consent)) {
	($res, $to) = authorize_of("$base/login?prompt=$prompt");
	is $to && $to->query_param('prompt'), $prompt, "prompt=$prompt goes to /authorize";
}
($res, $to) = authorize_of("$base/login?connection=" . ('a' x 128));
is $res->code, 302, 'a connection name of 128 characters (Auth0\'s longest)';
$res = browser()->visit("$base/login?prompt=login&ui_locales=fr-CA&returnTo=/echo");
is json_of($res)->{REMOTE_USER}, ALICE, 'a "switch account" link (prompt=login) signs in through the tenant';
is $res->request->uri->path, '/echo', '... and lands where the link said';

my %bad = (
	connection => [qr/connection is not a connection name/,
	               'git hub', 'github_', '-github', 'github-', 'git--hub', 'a' x 129, "git\x{e9}hub", "github\n", 'git.hub',
	               'git%2Fhub'],
	connection_scope => [qr/connection_scope is not a list of scopes/,
	                     'a"b', 'a\\b', "a\tb", 'a  b', ' a', 'a ', 'x' x 1025, "r\x{e9}po", "repo\r\n"],
	prompt => [qr/prompt must be login, consent or select_account/, 'LOGIN', 'login consent', 'create', 'login '],
	login_hint => [qr/login_hint is not a hint/, "alice\r\nX: y", "a\tb", 'x' x 257, "\x{80}abc"],
	screen_hint => [qr/screen_hint is not the name of a page/, 'SignUp', 'sign up', '<b>', 'x' x 33, 'signup;x'],
	ui_locales => [qr/ui_locales is not a list of language tags/,
	               'fr_CA', 'fr--CA', 'fr-', '-fr', ' fr', 'fr  en', 'fr ', 'abcdefghi', 'fr,en', 'fr;q=0.5',
	               join(' ', ('en-US') x 43), "fr\x{e9}"],
);
for my $name (sort keys %bad) {
	my ($why, @values) = @{$bad{$name}};
	for my $value (@values) {
		(my $shown = $value) =~ s/([^\x21-\x7e])/sprintf '\\x%02x', ord $1/ge;
		$shown = substr($shown, 0, 20) . '...' if length $shown > 24;
		refused("$base/login?$name=" . uri_escape($value), $why, "$name=$shown");
	}
}
refused("$base/login?prompt=none", qr/cannot ask for a sign-in without the login page \(prompt=none\)/,
        'prompt=none (a silent login)');
refused("$base/login?connection=github&connection=gitlab", qr/repeats or empties connection/, 'a repeated connection');
refused("$base/login?prompt=", qr/repeats or empties prompt/, 'an empty prompt');

# the link's hints replace the configured ones (Auth0AuthorizationParam ui_locales fr-CA, screen_hint signup)
($res, $to) = authorize_of("$opts/login?ui_locales=de&screen_hint=login");
is_deeply [$to->query_param('ui_locales')], ['de'], 'a link\'s ui_locales replaces the configured one';
is_deeply [$to->query_param('screen_hint')], ['login'], '... as its screen_hint does';
($res, $to) = authorize_of("$opts/login");
is $to->query_param('ui_locales'), 'fr-CA', '... which stays without one';

# how the user signs in, when the site chose it, is not the link's to change
{
	my $port = free_port();
	my ($h, $out) = httpd_start(app_site(port => $port, vhost => <<'EOC'));
Auth0LoginPath /login
Auth0AuthorizationParam connection corp-sso
Auth0AuthorizationParam connection_scope groups
Auth0AuthorizationParam prompt login
Auth0AuthorizationParam ui_locales en
EOC
	ok $h, 'an httpd whose login sets connection, connection_scope, prompt and ui_locales' or diag $out;
	SKIP: {
		skip 'no httpd', 14 unless $h;
		my $site = "https://127.0.0.1:$port";
		($res, $to) = authorize_of("$site/login");
		is $to->query_param('connection'), 'corp-sso', 'the configured connection goes to /authorize';
		is $to->query_param('prompt'), 'login', '... and the configured prompt';
		($res, $to) = authorize_of("$site/login?connection=corp-sso&prompt=login&connection_scope=groups&ui_locales=fr");
		is $res->code, 302, 'a link asking for the configured connection, prompt and connection_scope is let through';
		is_deeply [$to->query_param('connection')], ['corp-sso'], '... once';
		is $to->query_param('ui_locales'), 'fr', '... and its ui_locales replaces the configured one';
		refused("$site/login?connection=github", qr/This site signs in with another connection\./,
		        'a link asking for another connection than the configured one');
		refused("$site/login?prompt=select_account", qr/This site signs in with another prompt\./,
		        'a link asking for another prompt than the configured one');
		refused("$site/login?connection_scope=repo", qr/This site signs in with another connection_scope\./,
		        'a link asking for another connection_scope than the configured one');
		httpd_stop($h);
	}
}

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
