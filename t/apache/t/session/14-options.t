# Login options: Auth0AuthorizationParam, Auth0Organization (sent, and checked in the ID token),
# Auth0PostLoginURL, Auth0CookieName, Auth0CookieDomain, Auth0MaxLoginTransactions.
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
my $base = url('SESSION_OPTS', '');

my $b   = browser();
my $res = $b->get("$base/echo");
my $loc = URI->new($res->header('Location'));
is $loc->query_param('ui_locales'),   'fr-CA',       'Auth0AuthorizationParam ui_locales';
is $loc->query_param('screen_hint'),  'signup',      'Auth0AuthorizationParam screen_hint';
is $loc->query_param('organization'), 'org_acme123', 'Auth0Organization is sent';
ok((grep {/^__Host-auth0_txn_/} $res->header('Set-Cookie')), 'transaction cookies keep their own name');

$b   = browser();
$res = $b->visit("$base/echo");
is json_of($res)->{REMOTE_USER}, ALICE, 'a member of the organization logs in';
is json_of($res)->{HTTP_X_AUTH0_ORG_ID}, 'org_acme123', '... with org_id in her claims';
ok $b->cookie('__Host-opts'), 'Auth0CookieName names the session cookie (__Host-opts)';
my $login = $b->callback;
my $attrs = cookie_attrs($login, '__Host-opts');
ok $attrs && !exists $attrs->{'max-age'} && !exists $attrs->{expires},
	'Auth0SessionCookiePersistent Off: a browser-session cookie (no Max-Age, no Expires)';
ok $attrs && $attrs->{httponly} && $attrs->{secure}, '... still HttpOnly and Secure';
$res = $b->get("$base/logout", 'Sec-Fetch-Site' => 'same-origin');
my $out = URI->new($res->header('Location') // '');
is $out->path, '/v2/logout', 'logout goes to the tenant';
ok defined $out->query_param('federated'), 'Auth0LogoutFederated On: ... with federated';
$b = browser();
$b->visit("$base/echo");

# a token for another organization is refused
$b = browser();
my $cb = $b->to_callback("$base/echo");
tweak_tokens({which => 'id', claims => {org_id => 'org_globex456', org_name => 'globex'}});
my $mark = log_mark();
is $b->get($cb)->code, 502, 'an ID token of another organization is refused';
like log_since($mark), qr/ID token was refused \(organization\)/, '... by the organization rule';

# someone outside the organization: the tenant refuses, the callback says so
autologin('bob@example.com');
$b   = browser();
$res = $b->visit("$base/echo");
is $res->code, 403, 'a user outside the organization gets a 403 page';
like $res->content, qr/not part of the org_acme123 organization/, '... with the tenant\'s reason';
autologin('alice@example.com');

# a location with an organization of its own: its logins ask for it, and the callback (the site's, whose
# configuration names another) checks the ID token against the organization the login asked for
autologin('bob@example.com');
$b   = browser();
$res = $b->get("$base/globex/echo");
is(URI->new($res->header('Location'))->query_param('organization'), 'org_globex456',
	'a <Location> with its own Auth0Organization asks for it');
$res = $b->visit("$base/globex/echo");
is $res->code, 200, '... a member of that organization signs in there through the site\'s callback';
is json_of($res)->{HTTP_X_AUTH0_ORG_ID}, 'org_globex456', '... with its org_id';
$res = $b->get("$base/echo");
is $res->code, 302, '... and the session does not count where the site\'s organization is required';
is(URI->new($res->header('Location'))->query_param('organization'), 'org_acme123', '... which asks for it');

# Auth0Organization none: a part of the site open to users of any organization, or of none
for my $path ('/anyorg/echo', '/anyorg/deeper/echo') {
	my $loc = URI->new(browser()->get("$base$path")->header('Location'));
	ok $loc->query_param('client_id') && !defined $loc->query_param('organization'),
		"Auth0Organization none: a login from $path asks for no organization";
}
$b   = browser();
$res = $b->visit("$base/anyorg/deeper/echo");
is $res->code, 200, '... someone outside the site\'s organization signs in there';
is json_of($res)->{REMOTE_USER}, BOB, '... as himself';
ok !defined json_of($res)->{HTTP_X_DEEPER_ORG_ID}, '... with no organization';
is $b->get("$base/echo")->code, 302, '... and is not signed in where the organization is required';
autologin('alice@example.com');

# the landing page when there is no original URL
$b = browser();
$res = $b->visit("$base/callback");
is $res->request->uri->as_string, "$base/public/", 'a bare callback lands on Auth0PostLoginURL';

# Auth0CookieDomain: __Secure- and Domain= for the session, transaction cookies stay host-only
$b   = browser();
$res = $b->get(url('SESSION_DOMAIN', '/echo'));
my ($txn) = grep {/^__Host-auth0_txn_/} $res->header('Set-Cookie');
ok $txn, 'transaction cookies stay __Host- under Auth0CookieDomain';
unlike $txn, qr/Domain=/i, '... without a Domain';
$res = $b->get($b->get($res->header('Location'))->header('Location'));
$attrs = cookie_attrs($res, '__Secure-auth0_session');
ok $attrs, 'the session cookie is __Secure-auth0_session';
is $attrs->{domain}, 'example.test', '... with Domain=example.test';
ok $attrs->{secure} && $attrs->{httponly}, '... Secure and HttpOnly';

# Auth0CookieDomain none: a part of that site whose session stays with this host (__Host-, no Domain)
$b   = browser();
$res = $b->get(url('SESSION_DOMAIN', '/auth0/echo'));
is(URI->new($res->header('Location'))->query_param('redirect_uri'), url('SESSION_DOMAIN', '/auth0/callback'),
	'Auth0CookieDomain none: its login comes back to its own callback');
$res = $b->get($b->get($res->header('Location'))->header('Location'));
$attrs = cookie_attrs($res, '__Host-auth0_session');
ok $attrs, '... which sets __Host-auth0_session';
ok !exists $attrs->{domain}, '... without a Domain';
ok !cookie_attrs($res, '__Secure-auth0_session'), '... and no __Secure- cookie';

# two pending logins at most
$b = browser();
$b->get("$base/echo?n=$_") for 1 .. 4;
is $b->count_cookies(qr/auth0_txn/), 2, 'Auth0MaxLoginTransactions 2 keeps two';

# Auth0ErrorPages errordocument: the site's ErrorDocument shows the module's errors
{
	my $res = browser()->get("$base/callback?code=x&state=y");
	is $res->code, 400, 'Auth0ErrorPages errordocument: a stale callback still answers 400';
	my $env = json_of($res);
	is $env->{REDIRECT_AUTH0_ERROR}, 'Your sign-in has expired', '... through the ErrorDocument, told the error';
	like $env->{REDIRECT_AUTH0_ERROR_DESCRIPTION} // '', qr/no longer valid/, '... its description';
	ok $env->{REDIRECT_AUTH0_ERROR_LINK}, '... and the link to sign in again';
}

done_testing();
