# Auth0SilentLogin: at a location that lets anonymous requests through (Auth0Unauthenticated pass), a
# browser's first page navigation without a session asks the tenant with prompt=none, once per browser
# session (a cookie says it was tried): a browser the tenant knows comes back signed in, any other lands on
# the page anonymously. A logout sets the cookie too, so that a local logout is not undone.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
use Test::More;
use Time::HiRes qw(time);
use JSON::PP ();
use URI;

reset_tenant();
autologin(undef);
my $AUTHORIZE = 'GET /authorize';
my $SILENT = '__Host-auth0_session_silent';
my %SAME = ('Sec-Fetch-Site' => 'same-origin');
# what a browser's top-level navigation says of itself: the only requests that try
my %NAV = ('Sec-Fetch-Mode' => 'navigate', 'Sec-Fetch-Dest' => 'document', 'Sec-Fetch-Site' => 'none');
my $SESSION = '__Host-auth0_session';

my $port = free_port();
my ($h, $out) = httpd_start(app_site(port => $port, vhost => <<'EOC'));
Auth0SilentLogin On
<Location /public/>
    Auth0Unauthenticated pass
</Location>
<Location /public/quiet/>
    Auth0SilentLogin Off
</Location>
<Location /public/mfa/>
    Auth0RequireMFA On
</Location>
<Location /public/recent/>
    Auth0MaxAge 600
</Location>
<Location /public/org/>
    Auth0Organization org_acme123
</Location>
<Location /public/domain/>
    Auth0CookieDomain example.test
</Location>
EOC
ok $h, 'httpd starts with Auth0SilentLogin On' or diag $out;
my $base = "https://127.0.0.1:$port";

# A browser the tenant does not know: one try, then anonymous.
my $b = browser();
my $before = counter($AUTHORIZE);
my $res = $b->visit("$base/public/echo?page=1", headers => \%NAV);
my $first = $b->{chain}[0];
is $first->code, 302, 'a first page navigation without a session: a silent login';
my %q = URI->new($first->header('Location') // '')->query_form;
is $q{prompt}, 'none', '... with prompt=none';
my ($silent) = set_cookie_lines($first, $SILENT);
like $silent // '', qr/^\Q$SILENT\E=1;/, '... and the cookie that says it was tried';
unlike $silent // '', qr/Max-Age|Expires/i, '... for the browser session';
is counter($AUTHORIZE) - $before, 1, '... the tenant asked once';
is $res->code, 200, 'the tenant does not know the browser (login_required): back to the page';
is $res->request->uri->path_query, '/public/echo?page=1', '... the page it began at';
is json_of($res)->{REMOTE_USER} // '', '', '... anonymously';
my $tries = counter($AUTHORIZE);
$res = $b->get("$base/public/echo", %NAV);
is $res->code, 200, 'the next page: no second try';
is counter($AUTHORIZE) - $tries, 0, '... the tenant is not asked again';
is $b->get("$base/echo")->code, 302, 'a protected page still starts an ordinary login';

# Not a page navigation, HEAD, or a location with it off: through at once, nothing tried.
my $fresh = browser();
$tries = counter($AUTHORIZE);
is $fresh->get("$base/public/echo", Accept => 'application/json')->code, 200, 'a script: anonymous, no try';
is $fresh->request(HEAD => "$base/public/echo")->code, 200, 'HEAD (a link preview): anonymous, no try';
is $fresh->get("$base/public/quiet/echo", %NAV)->code, 200, 'Auth0SilentLogin Off: anonymous, no try';
is counter($AUTHORIZE) - $tries, 0, '... none of them asked the tenant';

# Only a navigation that says it is one (Sec-Fetch-Mode navigate and Sec-Fetch-Dest document): crawlers,
# curl and clients without them are not sent to the tenant; a prefetch does not spend the one try.
for my $h ([], ['Sec-Fetch-Mode' => 'navigate'], ['Sec-Fetch-Dest' => 'document'], [%NAV, 'Sec-Purpose' => 'prefetch'],
	[%NAV, Purpose => 'prefetch'], [%NAV, 'X-Moz' => 'prefetch'], [%NAV, 'X-Purpose' => 'preview']) {
	$tries = counter($AUTHORIZE);
	$res = browser()->get("$base/public/echo", @$h);    # a browser of its own: each case on its own
	my %h = @$h;
	my $what = join(', ', map {"$_: $h{$_}"} grep { !/Sec-Fetch-Site/ } sort keys %h) || 'no Sec-Fetch headers';
	is $res->code, 200, "a GET with $what: the page at once";
	is counter($AUTHORIZE) - $tries, 0, '... the tenant is not asked';
	ok !set_cookie_lines($res, $SILENT), '... and the try is not spent';
}
is $fresh->get("$base/public/echo", %NAV)->code, 302, 'the navigation that follows tries';

# A browser the tenant knows (its session at the tenant; here autologin): back signed in.
autologin('alice@example.com');
$b = browser();
$res = $b->visit("$base/public/echo", headers => \%NAV);
is $res->code, 200, 'a browser the tenant knows';
is json_of($res)->{REMOTE_USER}, ALICE, '... comes back signed in';
is json_of($b->get("$base/echo"))->{REMOTE_USER}, ALICE, '... with a session for the whole site';

# A logout (local: the tenant still knows the browser) is not undone by a silent login: a browser that signed
# in at a protected page (so never tried a silent login) logs out, then visits a public page.
$b = browser();
is json_of($b->visit("$base/echo"))->{REMOTE_USER}, ALICE, 'a browser signs in at a protected page';
ok !defined $b->cookie($SILENT), '... and has never tried a silent login';
$res = $b->get("$base/logout", %SAME);
is $res->code, 302, 'a logout';
like((set_cookie_lines($res, $SILENT))[0] // '', qr/^\Q$SILENT\E=1;/, '... says a silent login was tried');
$tries = counter($AUTHORIZE);
$res = $b->get("$base/public/echo", %NAV);
is $res->code, 200, 'the next public page after the logout';
is json_of($res)->{REMOTE_USER} // '', '', '... is anonymous';
is counter($AUTHORIZE) - $tries, 0, '... and the tenant was not asked';

# A silent login that fails, whatever the reason, lands on the public page, anonymously, never on an error
# page. $setup runs before the navigation (a fault, a token tweak); $answer, when given, is the tenant's
# error= answer, sent to the callback in its place.
sub lands_anonymously {
	my ($what, $path, $setup, $answer) = @_;
	my $b = browser();
	$setup->() if $setup;
	my $res;
	if ($answer) {
		my $first = $b->get("$base$path", %NAV);
		is $first->code, 302, "$what: a silent login";
		my $to = URI->new($first->header('Location') // '');
		my %q = $to->query_form;
		my $cb = URI->new($q{redirect_uri});
		$cb->query_form(%$answer, state => $q{state});
		$res = $b->visit($cb->as_string);
	} else {
		$res = $b->visit("$base$path", headers => \%NAV);
		ok((grep { $_->request->uri->path eq '/callback' } $b->chain), "$what: a silent login came back");
	}
	clear_faults();
	is $res->code, 200, "$what: the public page, 200";
	is $res->request->uri->path, URI->new("$base$path")->path, '... the page it began at';
	is json_of($res)->{REMOTE_USER} // '', '', '... anonymously';
	my $cb = $b->callback;
	like $cb->header('Cache-Control') // '', qr/no-store/, '... the callback\'s answer uncached' if $cb;
	ok !defined $b->cookie($SESSION), '... with no session';
	$tries = counter($AUTHORIZE);
	is $b->get("$base$path", %NAV)->code, 200, '... and the next page does not try again';
	is counter($AUTHORIZE) - $tries, 0, '... (the tenant is not asked)';
	return $b;
}

autologin(undef);
for my $error (qw(access_denied invalid_request temporarily_unavailable server_error)) {
	lands_anonymously("the tenant answering $error", '/public/echo', undef,
		{error => $error, error_description => 'no organization given'});
}
autologin('alice@example.com');
lands_anonymously('the code exchange failing (500)', '/public/echo',
	sub { fault({method => 'POST', path => '/oauth/token', status => 500, body => '{"error":"server_error"}'}) });
lands_anonymously('the code exchange failing (invalid_grant)', '/public/echo',
	sub { fault({method => 'POST', path => '/oauth/token', status => 403,
	             body => '{"error":"invalid_grant","error_description":"Invalid authorization code"}'}) });
lands_anonymously('the ID token refused (bad signature)', '/public/echo',
	sub { tweak_tokens({which => 'id', bad_signature => JSON::PP::true}) });

# What the location asks of a login (Auth0RequireMFA, Auth0MaxAge) goes along with prompt=none; a result
# that falls short of it lands anonymously instead of making a session that would not count there.
$b = browser();
$res = $b->get("$base/public/mfa/echo", %NAV);
%q = URI->new($res->header('Location') // '')->query_form;
is $q{prompt}, 'none', 'Auth0RequireMFA: a silent login';
is $q{acr_values}, 'http://schemas.openid.net/pape/policies/2007/06/multi-factor', '... asking for the second factor';
settings(honor_acr_values => 0);
lands_anonymously('Auth0RequireMFA and a tenant session without a second factor', '/public/mfa/echo');
settings(honor_acr_values => 1);
$b = browser();
$res = $b->visit("$base/public/mfa/echo", headers => \%NAV);
is json_of($res)->{REMOTE_USER}, ALICE, '... with one: signed in silently';

$b = browser();
$res = $b->get("$base/public/recent/echo", %NAV);
%q = URI->new($res->header('Location') // '')->query_form;
is $q{prompt}, 'none', 'Auth0MaxAge: a silent login';
is $q{max_age}, 600, '... with max_age';
lands_anonymously('Auth0MaxAge and an older tenant session', '/public/recent/echo',
	sub { tweak_tokens({which => 'id', claims => {auth_time => time - 3600}}) });

# A session that does not count here (another organization's) is never replaced by a silent login.
$b = browser();
is json_of($b->visit("$base/echo"))->{REMOTE_USER}, ALICE, 'a session without an organization';
$tries = counter($AUTHORIZE);
$res = $b->get("$base/public/org/echo", %NAV);
is $res->code, 200, 'a public page for an organization: through';
is json_of($res)->{REMOTE_USER} // '', '', '... anonymously (the session does not count there)';
is counter($AUTHORIZE) - $tries, 0, '... and no silent login replaces the session';
ok !set_cookie_lines($res, $SILENT), '... nor is one spent';

# Auth0CookieDomain: the tried cookie is the session cookie's kind (__Secure-, Domain=), so that a logout on
# one host of the domain stops the silent login on the others too.
$res = browser()->get("$base/public/domain/echo", %NAV);
is $res->code, 302, 'Auth0CookieDomain: a silent login';
my ($line) = set_cookie_lines($res, '__Secure-auth0_session_silent');
like $line // '', qr/;\s*Domain=example\.test/i, '... its cookie is __Secure-auth0_session_silent, Domain=example.test';
like $line // '', qr/;\s*Secure/i, '... Secure';
like $line // '', qr/;\s*SameSite=Lax/i, '... SameSite=Lax';
ok !set_cookie_lines($res, $SILENT), '... and no host-only one';
httpd_stop($h);

# Auth0PushedAuthorizationRequests: the push failing lands on the page, anonymously (no error page), and
# the try is spent.
($h, $base) = app_site_start(<<'EOC');
Auth0SilentLogin On
Auth0PushedAuthorizationRequests On
<Location /public/>
    Auth0Unauthenticated pass
</Location>
EOC
for my $fault ({status => 503}, {status => 500, body => '{"error":"invalid_request"}'}, {action => 'malformed'}) {
	fault({method => 'POST', path => '/oauth/par', %$fault});
	$b = browser();
	$res = $b->get("$base/public/echo", %NAV);
	clear_faults();
	my $what = join ' ', %$fault;
	is $res->code, 200, "the pushed authorization request failing ($what): the page, 200";
	is json_of($res)->{REMOTE_USER} // '', '', '... anonymously';
	like((set_cookie_lines($res, $SILENT))[0] // '', qr/^\Q$SILENT\E=1;/, '... the try spent');
	my $pushed = counter('POST /oauth/par');
	is $b->get("$base/public/echo", %NAV)->code, 200, '... and not tried again';
	is counter('POST /oauth/par') - $pushed, 0, '... (nothing pushed)';
}
$res = browser()->visit("$base/public/echo", headers => \%NAV);
is json_of($res)->{REMOTE_USER}, ALICE, 'the push answered: signed in silently';
httpd_stop($h);

# A session that ends on a public page (its refresh token refused) lands there anonymously: never a silent
# login, which would sign the browser in again behind a logout the tenant does not know of.
settings(access_token_lifetime => 2);
($h, $base) = app_site_start(<<'EOC');
Auth0SilentLogin On
Auth0Scope "openid profile email offline_access"
<Location /public/>
    Auth0Unauthenticated pass
</Location>
EOC
$b = browser();
is json_of($b->visit("$base/echo", headers => \%NAV))->{REMOTE_USER}, ALICE, 'a session with a refresh token';
my $token_at = time;
wait_until(3, sub { time - $token_at > 1.2 });
fault({method => 'POST', path => '/oauth/token', status => 400, body => '{"error":"invalid_grant"}', times => 1});
$tries = counter($AUTHORIZE);
$res = $b->get("$base/public/echo", %NAV);
clear_faults();
is $res->code, 200, 'its refresh token refused on a public page: the page';
is json_of($res)->{REMOTE_USER} // '', '', '... anonymously';
is counter($AUTHORIZE) - $tries, 0, '... no silent login';
httpd_stop($h);
settings(access_token_lifetime => undef);

reset_tenant();
done_testing();
