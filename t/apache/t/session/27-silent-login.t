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
use URI;

reset_tenant();
autologin(undef);
my $AUTHORIZE = 'GET /authorize';
my $SILENT = '__Host-auth0_session_silent';
my %SAME = ('Sec-Fetch-Site' => 'same-origin');

my $port = free_port();
my ($h, $out) = httpd_start(app_site(port => $port, vhost => <<'EOC'));
Auth0SilentLogin On
<Location /public/>
    Auth0Unauthenticated pass
</Location>
<Location /public/quiet/>
    Auth0SilentLogin Off
</Location>
EOC
ok $h, 'httpd starts with Auth0SilentLogin On' or diag $out;
my $base = "https://127.0.0.1:$port";

# A browser the tenant does not know: one try, then anonymous.
my $b = browser();
my $before = counter($AUTHORIZE);
my $res = $b->visit("$base/public/echo?page=1");
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
$res = $b->get("$base/public/echo");
is $res->code, 200, 'the next page: no second try';
is counter($AUTHORIZE) - $tries, 0, '... the tenant is not asked again';
is $b->get("$base/echo")->code, 302, 'a protected page still starts an ordinary login';

# Not a page navigation, HEAD, or a location with it off: through at once, nothing tried.
my $fresh = browser();
$tries = counter($AUTHORIZE);
is $fresh->get("$base/public/echo", Accept => 'application/json')->code, 200, 'a script: anonymous, no try';
is $fresh->request(HEAD => "$base/public/echo")->code, 200, 'HEAD (a link preview): anonymous, no try';
is $fresh->get("$base/public/quiet/echo")->code, 200, 'Auth0SilentLogin Off: anonymous, no try';
is counter($AUTHORIZE) - $tries, 0, '... none of them asked the tenant';

# A browser the tenant knows (its session at the tenant; here autologin): back signed in.
autologin('alice@example.com');
$b = browser();
$res = $b->visit("$base/public/echo");
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
$res = $b->get("$base/public/echo");
is $res->code, 200, 'the next public page after the logout';
is json_of($res)->{REMOTE_USER} // '', '', '... is anonymous';
is counter($AUTHORIZE) - $tries, 0, '... and the tenant was not asked';
httpd_stop($h);

reset_tenant();
done_testing();
