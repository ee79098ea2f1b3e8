# SetHandler auth0-admin: the page and its assets, compiled into the module from conf/admin/ (and the
# same bytes as those files: the build regenerates them, this checks the module under test).
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
use Auth0Test::Admin;
use Digest::SHA qw(sha256);
use MIME::Base64 qw(encode_base64);
use Test::More;

reset_tenant();
my ($b, $csrf, $res) = admin_login('alice@example.com', '/admin/');
is $res->code, 200, 'the admin page after login';
my $html = $res->decoded_content;
like $res->header('Content-Type'), qr{^text/html; charset=utf-8}, 'HTML';
like $res->header('Cache-Control') // '', qr/no-store/, 'never cached (it holds the CSRF token)';
my $csp = $res->header('Content-Security-Policy') // '';
like $csp, qr/default-src 'none'/, 'CSP: nothing by default';
# the page's one script is pinned: the CSP allows the response's nonce, which only the page's script tag
# carries (CSP Level 2), and the hash of the admin.js served, which the browser matches against the tag's
# integrity (CSP Level 3; Subresource Integrity refuses other bytes): not any script of this origin
my ($script_src) = $csp =~ /(?:^|;)\s*script-src ([^;]*)/;
my $js = $b->get(admin_url('/admin/admin.js'));
is $js->code, 200, 'admin.js for its hash';
my $js_sri = 'sha256-' . encode_base64(sha256($js->content), '');
my ($nonce) = ($script_src // '') =~ /^'nonce-([A-Za-z0-9_-]{22})' /;
ok $nonce, 'CSP: a nonce of 128 bits';
is $script_src, "'nonce-$nonce' '$js_sri'", "CSP: script-src is the nonce and the hash of the admin.js served (no 'self', no inline)";
unlike $csp, qr/'unsafe-|'strict-dynamic'/, 'CSP: no unsafe-* or strict-dynamic anywhere';
like $csp, qr/connect-src 'self'/, 'CSP: API calls to this origin only';
like $csp, qr/frame-ancestors 'none'/, 'CSP: never framed';
is $res->header('X-Frame-Options'), 'DENY', 'X-Frame-Options';
like $html, qr{data-api="/admin/api"}, 'the API URL: the page location + /api';
like $html, qr{data-csrf="\Q$csrf\E"}, 'the session CSRF token';
like $html, qr{data-logout="/logout"}, 'Auth0LogoutPath';
like $html, qr{<span id="who">alice\@example\.com</span>}, 'who is signed in';
like $html, qr{<script src="/admin/admin\.js" integrity="\Q$js_sri\E" nonce="\Q$nonce\E" defer>},
	'its script, from the page location, with the integrity and the nonce the CSP names';
is scalar(() = $html =~ /<script\b/g), 1, 'no other script element';
like $html, qr{<link rel="stylesheet" href="/admin/admin\.css">}, 'its style sheet';
unlike $html, qr{\{\{}, 'every placeholder filled in';
unlike $html, qr{https?://(?!127\.0\.0\.1)}i, 'nothing from another site (no CDN)';

is $b->get(admin_url('/admin'))->code, 200, 'also without the trailing slash';
$res = $b->get(admin_url('/console/'));
like $res->decoded_content, qr{data-api="/admin/api"}, 'SetEnv AUTH0_ADMIN_API points a page elsewhere';
like $res->decoded_content, qr{src="/console/admin\.js" integrity="\Q$js_sri\E"},
	'... its assets stay at its own location';
my $csp2 = $res->header('Content-Security-Policy') // '';
(my $same = $csp2) =~ s/'nonce-[^']*'/'nonce-$nonce'/;
is $same, $csp, '... under the same CSP';
my ($nonce2) = $csp2 =~ /'nonce-([^']*)'/;
isnt $nonce2, $nonce, '... with a nonce of its own (one per response)';
like $res->decoded_content, qr{nonce="\Q$nonce2\E"}, '... which its script tag carries';

# ---- assets ---------------------------------------------------------------------------------------------
my %types = ('admin.js' => qr{^text/javascript}, 'admin.css' => qr{^text/css});
my $src = source_dir();
for my $name (sort keys %types) {
	$res = $b->get(admin_url("/admin/$name"));
	is $res->code, 200, "$name: 200";
	like $res->header('Content-Type'), $types{$name}, "$name: type";
	my $etag = $res->header('ETag');
	like $etag // '', qr/^"[0-9a-f]{20}"$/, "$name: a strong ETag";
	is $res->header('Cache-Control'), 'no-cache', "$name: revalidated";
	is $res->header('X-Content-Type-Options'), 'nosniff', "$name: nosniff";
	SKIP: {
		skip 'source tree not found', 1 unless $src;
		open my $fh, '<:raw', "$src/conf/admin/$name" or die "$src/conf/admin/$name: $!";
		my $file = do { local $/; <$fh> };
		ok $res->content eq $file, "$name: the module serves conf/admin/$name as it is in the tree";
	}
	my $r304 = $b->get(admin_url("/admin/$name"), 'If-None-Match' => $etag);
	is $r304->code, 304, "$name: 304 for its ETag";
	is $b->get(admin_url("/admin/$name"), 'If-None-Match' => '"other"')->code, 200, "$name: 200 for another";
}
is $b->get(admin_url('/admin/index.html'))->code, 404, 'the template itself is not served as is';
is $b->get(admin_url('/admin/nothing.js'))->code, 404, 'unknown file: 404';
is $b->get(admin_url('/admin/x/admin.js'))->code, 404, 'no sub-directories';
is $b->request(POST => admin_url('/admin/'), content => 'x=1')->code, 405, 'POST: 405';
$res = $b->request(HEAD => admin_url('/admin/admin.js'));
is $res->code, 200, 'HEAD: 200';
is $res->content, '', '... no body';

# ---- not signed in: the login flow, not the page -----------------------------------------------------------
my $anon = browser();
$res = $anon->get(admin_url('/admin/'));
is $res->code, 302, 'not signed in: redirected to the login page';
like $res->header('Location'), qr{/authorize\?}, '... of the tenant';

done_testing;

# The source tree of the module under test (abs_top_srcdir of its build).
sub source_dir {
	my $mk = ($ENV{AUTH0_TEST_BUILD} // '') . '/Makefile';
	open my $fh, '<', $mk or return undef;
	while (<$fh>) {
		return $1 if /^abs_top_srcdir = (\S+)/;
	}
	return undef;
}
