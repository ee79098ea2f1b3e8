# Auth0SilentLogin with Auth0CookieDomain, on real names: the cookie that says a silent login was tried is
# the session cookie's kind (Domain=), so the browser sends it to every host of the domain. A try on one
# host is not made again on another, and a logout on one host (local: the tenant still knows the browser)
# is not undone by a silent login on another. 27-silent-login.t checks the cookie's attributes only:
# cookies for 127.0.0.1 cannot take a Domain. Here the browser asks for a.example.test and b.example.test
# (reached at 127.0.0.1, the names in the Host header), and its cookie jar matches cookies to those names.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
use Auth0Test::Api ();
use Test::More;
use URI;

reset_tenant();
autologin(undef);
my $AUTHORIZE = 'GET /authorize';
my $SILENT = '__Secure-auth0_session_silent';      # with Auth0CookieDomain
my $HOST_SILENT = '__Host-auth0_session_silent';   # without it
my $SESSION = '__Secure-auth0_session';
my %NAV = ('Sec-Fetch-Mode' => 'navigate', 'Sec-Fetch-Dest' => 'document', 'Sec-Fetch-Site' => 'none');

my $port = free_port();
my ($h, $out) = httpd_start(app_site(port => $port, vhost => <<'EOC'));
ServerAlias *.example.test
Auth0SilentLogin On
Auth0CookieDomain example.test
<Location /public/>
    Auth0Unauthenticated pass
</Location>
<Location /public/host-only/>
    Auth0CookieDomain none
</Location>
EOC
ok $h, 'httpd for *.example.test with Auth0CookieDomain example.test and Auth0SilentLogin On' or diag $out;
my ($A, $B) = map {"https://$_.example.test:$port"} qw(a b);

# The domains of the jar's cookies named $name (HTTP::Cookies writes a Domain cookie's as ".example.test").
sub jar_domains {
	my ($browser, $name) = @_;
	my @d;
	$browser->jar->scan(sub { push @d, $_[4] if $_[1] eq $name });
	return join ' ', sort @d;
}

# The Domain attribute of the response's cookie $name ('' without one, or without the cookie).
sub domain_attr { my ($res, $name) = @_; return (cookie_attrs($res, $name) // {})->{domain} // '' }

sub sent_cookie { my ($res, $name) = @_; return (($res->request->header('Cookie') // '') =~ /(?:^|;\s*)\Q$name\E=/) ? 1 : 0 }

# ---- a try on one host stops a try on another ----------------------------------------------------------------
my $b = host_browser('example.test');
my $before = counter($AUTHORIZE);
my $res = $b->get("$A/public/echo", %NAV);
is $res->code, 302, 'a.example.test: a first navigation tries a silent login';
is {URI->new($res->header('Location') // '')->query_form}->{prompt}, 'none', '... prompt=none';
is domain_attr($res, $SILENT), 'example.test', '... its tried cookie for Domain=example.test';
is jar_domains($b, $SILENT), '.example.test', '... which the browser keeps for the domain, not the host';
$res = $b->get("$B/public/echo", %NAV);
ok sent_cookie($res, $SILENT), 'b.example.test: the browser sends it there';
is $res->code, 200, '... the page at once';
is json_of($res)->{REMOTE_USER} // '', '', '... anonymously';
ok !set_cookie_lines($res, $SILENT), '... nothing tried (no tried cookie set again)';
$res = host_browser('example.test')->get("$B/public/echo", %NAV);
is $res->code, 302, 'a browser that has not tried: b.example.test tries';

# A location that keeps cookies to its host (Auth0CookieDomain none): the cookie is __Host- and stays on
# a.example.test, so b.example.test tries again: the jar does not send every cookie everywhere.
$b = host_browser('example.test');
$res = $b->get("$A/public/host-only/echo", %NAV);
is $res->code, 302, 'Auth0CookieDomain none: a.example.test tries';
ok set_cookie_lines($res, $HOST_SILENT), '... its tried cookie __Host-';
is domain_attr($res, $HOST_SILENT), '', '... host-only (no Domain)';
is jar_domains($b, $HOST_SILENT), 'a.example.test', '... kept for a.example.test';
$res = $b->get("$B/public/host-only/echo", %NAV);
ok !sent_cookie($res, $HOST_SILENT), '... not sent to b.example.test';
is $res->code, 302, '... which tries on its own';

# ---- a logout on one host is not undone by a silent login on another --------------------------------------
# The tenant knows the browser (autologin): a silent login would sign it in again at once. The tenant must
# take the callbacks of these names.
my @seed_callbacks = ('https://127.0.0.1:*/callback', 'http://127.0.0.1:*/callback', 'https://localhost:*/callback');
my $patched = Auth0Test::Api::update_client('demo-web-client',
	{callbacks => [@seed_callbacks, "$A/callback", "$B/callback"]});
ok $patched->is_success, 'the tenant takes https://{a,b}.example.test:PORT/callback' or diag $patched->decoded_content;
autologin('alice@example.com');

$b = host_browser('example.test');
$res = $b->visit("$A/echo");
is json_of($res)->{REMOTE_USER}, ALICE, 'signed in at a protected page of a.example.test';
is jar_domains($b, $SESSION), '.example.test', '... with a session for the domain';
ok !defined $b->cookie($SILENT), '... and no silent login tried';
is json_of($b->get("$B/echo"))->{REMOTE_USER}, ALICE, '... which b.example.test takes';
$res = $b->get("$A/logout", 'Sec-Fetch-Site' => 'same-origin');
is $res->code, 302, 'a (local) logout at a.example.test';
is domain_attr($res, $SILENT), 'example.test', '... marks the browser as tried for the domain';
ok !defined $b->cookie($SESSION), '... and ends the session';
$before = counter($AUTHORIZE);
$res = $b->visit("$B/public/echo", headers => \%NAV);
ok sent_cookie($res, $SILENT), 'b.example.test, a public page: the browser sends the cookie there';
is $res->code, 200, '... the page';
is scalar($b->chain), 1, '... at once';
is json_of($res)->{REMOTE_USER} // '', '', '... anonymously: the logout holds';
is counter($AUTHORIZE) - $before, 0, '... and the tenant was not asked';

# What the cookie stops: the same browser without it (a session that just ended, no logout) is signed in again
# at b.example.test by a silent login.
$b = host_browser('example.test');
$b->visit("$A/echo");
$b->remove_cookie($SESSION);
$before = counter($AUTHORIZE);
$res = $b->visit("$B/public/echo", headers => \%NAV);
is json_of($res)->{REMOTE_USER}, ALICE, 'without a logout: b.example.test signs the browser in silently';
is counter($AUTHORIZE) - $before, 1, '... through the tenant';
httpd_stop($h);

reset_tenant();
done_testing();
