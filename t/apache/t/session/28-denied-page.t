# A signed-in user whom a Require refuses: a page navigation gets the module's "Access denied" page, with
# the status httpd chose (401, or 403 with AuthzSendForbiddenOnFailure On), naming the account and offering
# to sign in with another one (Auth0LoginPath, prompt=login or the site's own prompt, back to the page the
# browser asked for) or to sign out (a form that POSTs the session's CSRF token to Auth0LogoutPath, which
# signs out in a browser that sends no Sec-Fetch-Site: the page sends no Referer). Scripts, anonymous
# requests, bearer requests, refusals that are not Require's (a RewriteRule's [F]; a backend's 403 and a
# file's permissions: 29-denied-not-require.t) and sites with an ErrorDocument of their own keep httpd's
# answer.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
use Auth0Test::Api ();
use Test::More;
use URI;
use URI::Escape qw(uri_escape);
use URI::QueryParam;

reset_tenant();
autologin('bob@example.com');

my $ALICE_ONLY = 'Require auth0-claim email alice@example.com';
# the tenant's logout (/v2/logout) where app_site signs out locally: a form whose answer leaves the site
my ($h, $base) = app_site_start("Auth0LoginPath /login\nAuth0LogoutEndpoint v2", after => <<"EOC");
<Location /alice/>
    $ALICE_ONLY
</Location>
<Location /alice403/>
    AuthzSendForbiddenOnFailure On
    $ALICE_ONLY
</Location>
<Location /alicetext/>
    ErrorDocument 401 "the site's own text"
    $ALICE_ONLY
</Location>
<Location /public/>
    Require all granted
</Location>
<Location /alicedoc/>
    ErrorDocument 401 /public/index.html
    $ALICE_ONLY
</Location>
<Location /forbidden-by-rule/>
    RewriteEngine On
    RewriteRule ^ - [F]
</Location>
<Location /moved/>
    RewriteEngine On
    RewriteRule ^ /alice/echo [PT]
</Location>
<Location /api/>
    AuthType Auth0Bearer
    Auth0Audience https://api.example.com/
    $ALICE_ONLY
</Location>
EOC

my $b = browser();
is $b->visit("$base/echo")->code, 200, 'bob signs in';

# what makes a page the module's access-denied page for bob at $path
sub denied_page_ok {
	my ($res, $status, $path, $what) = @_;
	is $res->code, $status, "$what: $status";
	my $body = $res->decoded_content // '';
	like $body, qr{<h1>Access denied</h1>}, "$what: the access-denied page";
	like $body, qr{You are signed in as bob\@example\.com\.}, "$what: names the account";
	unlike $body, qr/REMOTE_USER/, "$what: the backend did not run";
	is $res->header('Content-Type'), 'text/html', "$what: no charset of httpd's (the page's meta says UTF-8)";
	like $body, qr{<meta charset="utf-8">}, "$what: ... which the page names";
	is $res->header('Cache-Control'), 'no-store', "$what: never cached";
	like $res->header('Content-Security-Policy') // '', qr/default-src 'none'/, "$what: the pages' CSP";
	is $res->header('X-Frame-Options'), 'DENY', "$what: never framed";
	my ($login) = $body =~ m{<a class="button" id="login" href="([^"]+)"};
	ok $login, "$what: a link to sign in with another account";
	$login =~ s/&amp;/&/g;
	my $u = URI->new($login);
	is $u->path, '/login', "$what: ... through Auth0LoginPath";
	is $u->query_param('prompt'), 'login', "$what: ... asking the tenant for a login (never a silent one)";
	is $u->query_param('returnTo'), $path, "$what: ... back to this page";
	my ($form) = $body =~ m{(<form method="post" action="/logout" id="form" accept-charset="utf-8">.*?</form>)}s;
	ok $form, "$what: a form that signs out (a POST to Auth0LogoutPath)";
	$form //= '';
	like $form, qr{<button type="submit" id="logout">Sign out</button>}, "$what: ... with its button";
	like $form, qr{<a class="button" id="login" }, "$what: ... beside the other link, in one paragraph";
	my @fields = $form =~ m{<input type="hidden" name="([^"]*)" value="[^"]*">}g;
	is "@fields", 'csrf', "$what: ... whose one field is csrf";
	my ($csrf) = $form =~ m{<input type="hidden" name="csrf" value="([^"]*)">};
	# the logout endpoint's answer is a redirect off the site (the tenant's logout): browsers hold every hop
	# of a form's redirects to form-action (Chromium: "violates ... form-action 'self'"), so there is none
	is $res->header('Content-Security-Policy'),
		"default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
		"$what: no form-action in the CSP, the rest of it all there";
	is $res->header('Referrer-Policy'), 'no-referrer', "$what: no Referer sent on";
	return ($login, $csrf);
}

my $res = $b->get("$base/alice/echo?x=1&y=2");
is $res->header('WWW-Authenticate'), 'Auth0 realm="login"', 'a 401 still names the scheme (RFC 7235)';
my ($login) = denied_page_ok($res, 401, '/alice/echo?x=1&y=2', 'refused by Require');
denied_page_ok($b->get("$base/alice403/echo"), 403, '/alice403/echo', 'AuthzSendForbiddenOnFailure On');

# the site's ErrorDocument (a text) wins
$res = $b->get("$base/alicetext/echo");
is $res->code, 401, "the site's ErrorDocument: 401";
like $res->decoded_content, qr/the site's own text/, "... with the site's text";
unlike $res->decoded_content, qr/Access denied/, '... not the module\'s page';

# an ErrorDocument that is a document: the site's page
$res = $b->get("$base/alicedoc/echo");
is $res->code, 401, "the site's ErrorDocument document: 401";
like $res->decoded_content, qr/public page/, "... the site's document";
unlike $res->decoded_content, qr/Access denied/, "... not the module's page";

# refusals that are not Require's: another account would change nothing
$res = $b->get("$base/forbidden-by-rule/x");
is $res->code, 403, "a RewriteRule's [F]: 403";
unlike $res->decoded_content, qr/Access denied/, "... httpd's page, not the module's";

# an internal redirect to a refused page: the link comes back to what the browser asked for
denied_page_ok($b->get("$base/moved/x?y=1"), 401, '/moved/x?y=1', 'refused after an internal redirect');

# a bearer request refused by Require: the bearer challenge, whatever Accept says
$res = $b->get("$base/api/x", Authorization => 'Bearer ' . Auth0Test::Api::m2m_token());
ok(($res->code == 401 || $res->code == 403), 'a bearer token refused by Require') or diag $res->code;
like $res->header('WWW-Authenticate') // '', qr/^Bearer .*insufficient_scope/, '... the bearer challenge';
unlike $res->decoded_content, qr/Access denied/, "... not the module's page";

# not a page navigation: httpd's answer
for my $h (['X-Requested-With' => 'XMLHttpRequest'], ['Sec-Fetch-Mode' => 'cors', 'Sec-Fetch-Dest' => 'empty'],
	['Accept' => 'application/json'], ['Sec-Fetch-Mode' => 'no-cors', 'Sec-Fetch-Dest' => 'image']) {
	$res = $b->get("$base/alice/echo", @$h);
	is $res->code, 401, "@$h: 401";
	unlike $res->decoded_content, qr/Access denied/, "... httpd's page, not the module's";
}
# a HEAD gets no body at all
$res = $b->request(HEAD => "$base/alice/echo");
is $res->code, 401, 'HEAD: 401';
is $res->content, '', '... without a body';

# anonymous: a login as before, not the page
$res = browser()->get("$base/alice/echo");
is $res->code, 302, 'no session: sent to log in';
unlike $res->decoded_content // '', qr/Access denied/, '... no access-denied page';

# The form signs out directly in any browser: it carries the session's CSRF token (the one the logout
# endpoint's confirmation page shows), and a POST of it acts with no Sec-Fetch-Site, Origin or Referer
# (what a browser without Sec-Fetch-Site sends from this page, whose Referrer-Policy is no-referrer)
{
	my $bob = browser();
	is $bob->visit("$base/echo")->code, 200, 'another browser signs in as bob';
	my $confirm = $bob->get("$base/logout");
	is $confirm->code, 200, 'a GET of the logout without any origin signal: the confirmation page';
	my ($session_csrf) = $confirm->content =~ m{name="csrf" value="([^"]+)"};
	ok $session_csrf, "... which shows the session's CSRF token";
	my (undef, $csrf) = denied_page_ok($bob->get("$base/alice/echo"), 401, '/alice/echo', 'another session');
	is $csrf, $session_csrf, "the access-denied page's form carries the session's CSRF token";
	isnt $csrf, (denied_page_ok($b->get("$base/alice/echo"), 401, '/alice/echo', 'the first session'))[1],
		"... each session's own";

	my $res = $bob->request(POST => "$base/logout", content => 'csrf=' . uri_escape("${csrf}x"));
	is $res->code, 200, 'the form with a wrong token: the confirmation page';
	like $res->content, qr{<h1>Sign out\?</h1>}, '... which asks';
	unlike $res->header('Content-Security-Policy') // '', qr/form-action/,
		'... its form has no form-action either (its answer is the same redirect to the tenant)';
	is $bob->get("$base/echo")->code, 200, '... and the session is still there';

	$res = $bob->request(POST => "$base/logout", content => 'csrf=' . uri_escape($csrf));
	is $res->code, 302, 'the form as it is, without Sec-Fetch-*, Origin or Referer: signed out';
	my $to = $res->header('Location') // '';
	like $to, qr{^\Q${\tenant_url()}\E/v2/logout\?}, "... to the tenant's logout";
	is(URI->new($to)->query_param('returnTo'), "$base/", '... coming back to / (the form carries no returnTo)');
	ok((grep { /^__Host-auth0_session=;.*Max-Age=0/ } $res->header('Set-Cookie')), '... the session cookie deleted');
	is $bob->get("$base/echo")->code, 302, '... and the browser is signed out (sent to log in)';
	is $b->get("$base/echo")->code, 200, "... the first browser's session untouched";
}

# the link signs in with another account and comes back to the page
autologin('alice@example.com');
$res = $b->visit("$base$login");
is $res->code, 200, 'the link: a login as alice, back at the page';
is $res->request->uri->path_query, '/alice/echo?x=1&y=2', '... the page that was refused';
is json_of($res)->{REMOTE_USER}, ALICE, '... now served to alice';
my ($authorize) = grep { ($_->header('Location') // '') =~ m{/authorize\?} } @{$b->{chain}};
ok $authorize, '... through the tenant';
like $authorize->header('Location'), qr/[?&]prompt=login(&|$)/, '... with prompt=login';
httpd_stop($h);

# a site with its own prompt: the link keeps it (a link may not change it), and it works
($h, $base) = app_site_start("Auth0LoginPath /login\nAuth0AuthorizationParam prompt select_account",
	after => "<Location /alice/>\n$ALICE_ONLY\n</Location>\n");
$b = browser();
autologin('bob@example.com');
$b->visit("$base/echo");
$res = $b->get("$base/alice/echo");
($login) = ($res->decoded_content // '') =~ m{<a class="button" id="login" href="([^"]+)"};
$login =~ s/&amp;/&/g if $login;
ok $login, "a site with Auth0AuthorizationParam prompt: the page's link";
is(URI->new($login // '')->query_param('prompt'), undef, '... without a prompt of its own');
$res = $b->get("$base$login");
is $res->code, 302, '... which starts a login (no refusal of another prompt)';
like $res->header('Location') // '', qr/[?&]prompt=select_account(&|$)/, "... with the site's prompt";
httpd_stop($h);

# no Auth0LoginPath: the page offers to sign out only
($h, $base) = app_site_start('', after => "<Location /alice/>\n$ALICE_ONLY\n</Location>\n");
$b = browser();
autologin('bob@example.com');
$b->visit("$base/echo");
$res = $b->get("$base/alice/echo");
like $res->decoded_content, qr{<h1>Access denied</h1>}, 'a site without Auth0LoginPath: the page';
unlike $res->decoded_content, qr{id="login"}, '... without a link to sign in again';
like $res->decoded_content, qr{id="logout"}, '... with the one to sign out';
httpd_stop($h);

done_testing();
