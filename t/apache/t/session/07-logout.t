# Logout: not forceable cross-site (same-origin GET, or POST with the CSRF token, else a confirmation
# page), the session destroyed (every cookie, the cache entry), then /v2/logout, /oidc/logout or
# straight back; returnTo checked against Auth0LogoutReturnToAllow.
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
my $base  = url('SESSION', '');
my $cache = url('SESSION_CACHE', '');
my $api   = url('SESSION_API', '');
my $NAME  = '__Host-auth0_session';
my %SAME  = ('Sec-Fetch-Site' => 'same-origin');

sub signed_in {
	my ($site) = @_;
	my $b = browser();
	$b->visit("$site/echo");
	return $b;
}

sub deleted { my ($res, $name) = @_; scalar grep {/^\Q$name\E=;.*Max-Age=0/} $res->header('Set-Cookie') }

# ---- /v2/logout ------------------------------------------------------------------------------------------
my $b   = signed_in($base);
my $res = $b->get("$base/logout", %SAME);
is $res->code, 302, 'a same-origin GET logs out';
my $loc = URI->new($res->header('Location'));
is $loc->scheme . '://' . $loc->host_port . $loc->path, tenant_url() . '/v2/logout', '... through /v2/logout';
is $loc->query_param('returnTo'), "$base/", '... returning to / by default';
is $loc->query_param('client_id'), 'demo-web-client', '... with the client id';
ok !defined $loc->query_param('federated'), '... not federated (Auth0LogoutFederated is off by default)';
ok deleted($res, $NAME), '... the session cookie is deleted';
like $res->header('Cache-Control') // '', qr/no-store/, '... uncached';
is $b->get("$base/echo")->code, 302, 'the browser is signed out';
$res = $b->get($loc->as_string);
is $res->code, 302, 'the tenant ends its session too';
is $res->header('Location'), "$base/", '... and sends the browser back';

$b = signed_in($base);
is $b->get("$base/logout", 'Sec-Fetch-Site' => 'none')->code, 302, 'a typed or bookmarked URL (Sec-Fetch-Site none) logs out';
$b = signed_in($base);
is $b->get("$base/logout", Origin => $base)->code, 302, 'an Origin of this site logs out';
$b = signed_in($base);
is $b->get("$base/logout", Referer => "$base/some/page")->code, 302, 'a Referer of this site logs out';

# ---- not forceable cross-site ------------------------------------------------------------------------------
$b = signed_in($base);
for my $h ([{'Sec-Fetch-Site' => 'cross-site'}, 'a cross-site link'], [{'Sec-Fetch-Site' => 'same-site'}, 'a sibling site'],
	[{Referer => 'https://evil.example.com/'}, 'a foreign Referer'], [{Origin => 'null'}, 'Origin null'],
	[{}, 'a request without any origin signal'])
{
	my ($headers, $what) = @$h;
	$res = $b->get("$base/logout", %$headers);
	is $res->code, 200, "$what gets a confirmation page";
	like $res->content, qr/<form method="post" action="\/logout"[ >]/, '... with a POST form';
}
is $b->get("$base/echo")->code, 200, 'the session survived all of them';
my ($csrf) = $res->content =~ /name="csrf" value="([^"]+)"/;
ok $csrf, 'the form carries a CSRF token';
$res = $b->request(POST => "$base/logout", content => 'csrf=wrong', 'Sec-Fetch-Site' => 'cross-site');
is $res->code, 200, 'a POST with a wrong token gets the confirmation again';
$res = $b->request(POST => "$base/logout", content => 'returnTo=%2Fbye', 'Sec-Fetch-Site' => 'cross-site');
is $res->code, 200, 'a POST without a token too';
like $res->content, qr/name="returnTo" value="\/bye"/, '... which keeps the returnTo asked for';
$res = $b->request(POST => "$base/logout", content => "csrf=$csrf%00junk", 'Sec-Fetch-Site' => 'cross-site');
is $res->code, 400, 'a POST with the token and more after a NUL is refused as malformed (as a query is)';
is $b->get("$base/echo")->code, 200, 'the session is still there';
$res = $b->request(POST => "$base/logout", content => "csrf=$csrf&returnTo=%2Fbye", 'Sec-Fetch-Site' => 'cross-site');
is $res->code, 302, 'the confirmed POST logs out';
is(URI->new($res->header('Location'))->query_param('returnTo'), "$base/bye", '... to the returnTo asked for');
is $b->get("$base/echo")->code, 302, '... and the browser is signed out';

# a prefetch (speculation rules, <link rel=prefetch>) is same-origin and carries the cookie, but no one
# asked to sign out: 503 (a browser discards a prefetch that is not 2xx), uncached, nothing changed
$b = signed_in($base);
for my $h (['Sec-Purpose' => 'prefetch'], ['Sec-Purpose' => 'prefetch;prerender'], [Purpose => 'prefetch'],
	['X-Moz' => 'prefetch'], ['X-Purpose' => 'preview']) {
	$res = $b->get("$base/logout", %SAME, 'Sec-Fetch-Dest' => 'empty', @$h);
	is $res->code, 503, "a prefetch of the logout URL (@$h): 503";
	like $res->header('Cache-Control') // '', qr/no-store/, '... uncached';
	ok !$res->header('Location'), '... going nowhere';
	ok !deleted($res, $NAME), '... the session cookie is not deleted';
}
is $b->get("$base/echo")->code, 200, 'the session survived the prefetches';
is $b->get("$base/logout", %SAME)->code, 302, '... and the click that follows logs out';

# a body over 16 KB: 413, as httpd's own handlers answer (not read as an empty form)
$b = signed_in($base);
$res = $b->request(POST => "$base/logout", content => 'returnTo=%2Fbye&pad=' . ('x' x 20000), %SAME);
is $res->code, 413, 'a POST /logout over 16 KB: 413';
is $b->get("$base/echo")->code, 200, '... and the session stays';

# a body that is not a form (multipart, text/plain) carries no csrf: the confirmation page, as for a form
# without one, not a 400 for a "malformed" form (the Content-Type is checked before the body is read)
for my $type ('multipart/form-data; boundary=xyz', 'text/plain') {
	$b = signed_in($base);
	my $body = $type =~ /multipart/
	  ? qq{--xyz\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n%zz\r\n--xyz--\r\n}
	  : "csrf=%zz\nreturnTo=%00";
	$res = $b->request(POST => "$base/logout", content => $body, 'Content-Type' => $type, %SAME);
	is $res->code, 200, "a POST /logout with a $type body: the confirmation page";
	like $res->decoded_content, qr/Sign out\?/, '... asking whether to sign out';
	ok !deleted($res, $NAME), '... the session cookie is not deleted';
	is $b->get("$base/echo")->code, 200, '... and the session stays';
}

# without a session: nothing to confirm
$res = browser()->get("$base/logout", 'Sec-Fetch-Site' => 'cross-site');
is $res->code, 200, 'a cross-site logout without a session shows a page';
like $res->content, qr/not signed in/, '... saying so';
$res = browser()->get("$base/logout", %SAME);
is $res->code, 302, 'a same-origin logout without a session still ends the tenant session';
is $b->request(PUT => "$base/logout", content => 'x', %SAME)->code, 405, 'PUT is not allowed';

# ---- returnTo --------------------------------------------------------------------------------------------
my @allowed = ('/bye', '/bye/later', '/bye?x=1', "$base/logged-out", 'https://app.example.com/', '/');
my @refused = (
	'/byebye', 'https://evil.example.com/', '//evil.example.com/', '/\\evil.example.com', '/%2f%2fevil.example.com',
	'/%2F/evil.example.com', '/%5cevil.example.com', '/%255c%255cevil.example.com', "https://evil.example.com\@127.0.0.1:" . port('SESSION') . '/',
	'https://127.0.0.1:' . port('SESSION') . '@evil.example.com/', 'javascript:alert(1)', 'data:text/html,hi',
	'/%09/evil.example.com', '/%0d%0aSet-Cookie:%20x=1', "https://evil\xe3\x80\x82example.com/",
	'/%EF%BC%8F%EF%BC%8Fevil.example.com', 'http://127.0.0.1:' . port('SESSION') . '/', '/bye#frag',
	'https://app.example.com.evil.example.com/', 'https://app.example.com/other',
);
$b = signed_in($base);
for my $to (@allowed) {
	my $sb = signed_in($base);
	$res = $sb->get("$base/logout?returnTo=" . _q($to), %SAME);
	is $res->code, 302, "returnTo $to is allowed";
	my $want = $to =~ m{^/} ? "$base$to" : $to;
	is(URI->new($res->header('Location'))->query_param('returnTo'), $want, '... and sent as an absolute URL');
}
for my $to (@refused) {
	$res = $b->get("$base/logout?returnTo=" . _q($to), %SAME);
	is $res->code, 400, "returnTo $to is refused";
	unlike $res->header('Location') // '', qr/evil/, '... and never redirected to';
}
is $b->get("$base/echo")->code, 200, 'refused returnTos destroyed nothing';
is $b->get("$base/logout?returnTo=%2Fbye&returnTo=%2F", %SAME)->code, 400, 'a repeated returnTo is refused';
is $b->get("$base/logout?returnTo=%2Fbye&return%54o=%2F", %SAME)->code, 400,
	'... also when the second one\'s name is percent-encoded';
is $b->get("$base/logout?x=%zz&returnTo=%2Fbye", %SAME)->code, 400, 'a query with a pair that does not decode is refused';
is $b->get("$base/logout?return%54o=" . _q('https://evil.example.com/'), %SAME)->code, 400,
	'a returnTo whose name is percent-encoded is read, and checked';
is $b->get("$base/echo")->code, 200, '... and none of these destroyed the session';

sub _q {
	my ($s) = @_;
	$s =~ s/([^A-Za-z0-9_.~-])/sprintf('%%%02X', ord $1)/ge;
	return $s;
}

# ---- /oidc/logout with the cache store -----------------------------------------------------------------------
$b = signed_in($cache);
my $ref = $b->cookie($NAME);
like $ref, qr/^s\./, 'signed in with a cache session';
for my $i (1 .. 8) {
	my $copy = browser();
	$copy->set_cookie($NAME, $ref);
	is $copy->get("$cache/echo")->code, 200, "the session is used from whichever process answers (try $i)";
}
$res = $b->get("$cache/logout", %SAME);
is $res->code, 302, 'logout (oidc)';
$loc = URI->new($res->header('Location'));
is $loc->path, '/oidc/logout', '... through /oidc/logout';
ok $loc->query_param('id_token_hint'), '... with an id_token_hint';
ok $loc->query_param('logout_hint'), '... and the sid as logout_hint';
is $loc->query_param('post_logout_redirect_uri'), "$cache/", '... and the post_logout_redirect_uri';
my $stale = browser();
$stale->set_cookie($NAME, $ref);
is $stale->get("$cache/echo")->code, 302, 'the cached session is gone (its id opens nothing)';
# every process that kept a copy of the session (each request below is a new connection) drops it
for my $i (1 .. 8) {
	my $again = browser();
	$again->set_cookie($NAME, $ref);
	is $again->get("$cache/echo")->code, 302, "... in whichever process answers (try $i)";
}
$res = $b->get($loc->as_string);
is $res->code, 302, 'the tenant accepts the hint';
is $res->header('Location'), "$cache/", '... and sends the browser back';

# ---- local logout, with a refresh token to revoke -------------------------------------------------------------
$b = signed_in($api);
my $revokes = counter('POST /oauth/revoke');
$res = $b->get("$api/logout", %SAME);
is $res->code, 302, 'logout (local)';
is $res->header('Location'), "$api/", '... straight back to the site';
is counter('POST /oauth/revoke') - $revokes, 1, '... after revoking the refresh token';
is $b->get("$api/echo")->code, 302, '... signed out';

# ---- a chunked session loses every chunk ------------------------------------------------------------------------
tweak_tokens({which => 'id', claims => {'https://example.com/groups' => [many_groups(400)]}});
$b = signed_in($base);
my @chunks = $b->cookie_names(qr/^\Q$NAME\E\.\d+$/);
cmp_ok scalar(@chunks), '>', 1, 'a large session in ' . scalar(@chunks) . ' cookies';
$res = $b->get("$base/logout", %SAME);
is scalar(grep { deleted($res, $_) } @chunks), scalar(@chunks), 'logout deletes every chunk';
is $b->count_cookies(qr/^\Q$NAME\E/), 0, 'none is left';

done_testing();
