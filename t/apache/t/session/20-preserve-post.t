# Auth0PreservePost: a form posted from a page of this site without a session is kept across the login it
# needs, and posted again from the callback's page (a script with the CSP nonce); a form from another site,
# a script's POST, a multipart form, one too large or not UTF-8 keeps the 401; the kept form is posted
# again once.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
use HTML::Entities qw(decode_entities);
use IO::Select;
use IO::Socket::SSL;
use Test::More;
use URI;

reset_tenant();
autologin('alice@example.com');

# The fields of the page's form, in order, decoded as a browser would ([name, value] pairs), its action,
# and the nonce of its script.
sub form_of {
	my ($html) = @_;
	my ($action) = $html =~ /<form method="post" action="([^"]*)" id="form" accept-charset="utf-8">/;
	my @fields = map { [decode_entities($_->[0]), decode_entities($_->[1])] }
	  map { [/name="([^"]*)" value="([^"]*)"/] } $html =~ /(<input type="hidden"[^>]*>)/g;
	# the prototype's submit(), which a field named "submit" cannot shadow as it does form.submit
	my ($nonce) = $html =~ /<script nonce="([^"]+)">HTMLFormElement\.prototype\.submit\.call\(document\.getElementById\("form"\)\);<\/script>/;
	return (decode_entities($action // ''), \@fields, $nonce);
}

sub enc {
	my ($s) = @_;
	utf8::encode($s);    # the fields are text: a browser sends UTF-8
	$s =~ s/([^A-Za-z0-9_.~-])/sprintf('%%%02X', ord $1)/ge;
	return $s;
}
sub form_body { join '&', map { enc($_->[0]) . '=' . enc($_->[1]) } @_ }

my @FIELDS = (["note", "h\x{e9}llo w\x{f6}rld \x{2713}"], ['tag', 'a'], ['tag', 'b'],
              ['html', '<b>"quoted" & \'single\'</b>'], ['lines', "one\r\ntwo"], ['empty', ''],
              ["\x{e9}t\x{e9}", 'name in UTF-8'], ['submit', 'Save'], ['_charset_', 'UTF-8']);

for my $case (['cookie', 'SESSION'], ['cache', 'SESSION_CACHE']) {
	my ($store, $name) = @$case;
	my $site = url($name, '');
	my $origin = "https://127.0.0.1:" . port($name);
	my $b = browser();
	my $res = $b->visit("$site/keep/echo?x=1", content => form_body(@FIELDS), headers => {Origin => $origin});
	my $first = ($b->chain)[0];
	is $first->code, 302, "$store store: a form posted from this site without a session starts a login";
	is(URI->new($first->header('Location') // '')->path, '/authorize', '... at the tenant');
	is $res->code, 200, "$store store: the callback answers with a page";
	is $res->request->uri->path, '/callback', '... of the callback';
	my ($action, $fields, $nonce) = form_of($res->decoded_content);
	is $action, '/keep/echo?x=1', '... that posts to the URL of the form';
	is_deeply $fields, \@FIELDS, '... every field, in order, repeats too, with its text as it was (UTF-8, markup, CRLF)';
	ok $nonce && length($nonce) >= 20, '... submitted by a script with a nonce';
	my $csp = $res->header('Content-Security-Policy') // '';
	like $csp, qr/script-src 'nonce-\Q$nonce\E'/, '... which the CSP allows, and no other script';
	unlike $csp, qr/unsafe-inline'[^;]*script|script-src[^;]*unsafe/, '... no inline script without it';
	unlike $csp, qr/form-action/, '... and the form may go where the site sends it next';
	is $res->header('Referrer-Policy'), 'origin', '... the callback URL (its code) is not sent as Referer';
	like $res->header('Cache-Control') // '', qr/no-store/, '... never cached';
	ok $b->count_cookies(qr/auth0_session/), '... and the session cookie is set';

	$res = $b->request(POST => URI->new_abs($action, $res->request->uri)->as_string, Origin => $origin,
	                   content => form_body(@FIELDS));
	is $res->code, 200, "$store store: the form posted again reaches the page";
	my $echo = json_of($res);
	is $echo->{REMOTE_USER}, ALICE, '... signed in';
	is $echo->{BODY}, form_body(@FIELDS), '... with the same body';

	# a replayed callback is refused before any form (its state was used; that the kept form itself is
	# taken once is seen in redis, t/session/12-cache-providers.t)
	my $callback = $b->callback->request->uri->as_string;
	$res = $b->get($callback);
	unlike $res->decoded_content, qr/<input type="hidden" name="note"/, "$store store: a replayed callback shows no form";
}

my $site = url('SESSION', '');
my $origin = "https://127.0.0.1:" . port('SESSION');
my $form = form_body(['note', 'hello']);
sub refused {
	my ($what, $path, %h) = @_;
	my $body = delete $h{content} // $form;
	my $res = browser()->request(POST => "$site$path", %h, content => $body);
	is $res->code, 401, "$what: 401, as without Auth0PreservePost";
	like $res->header('WWW-Authenticate') // '', qr/^Auth0/, '... with the challenge';
}
refused('a form from another site', '/keep/echo', Origin => 'https://evil.example');
refused('a form from this host on another port', '/keep/echo', Origin => 'https://127.0.0.1:1');
refused('a form from plain http', '/keep/echo', Origin => 'http://127.0.0.1:' . port('SESSION'));
refused('a POST without Origin or Sec-Fetch-Site', '/keep/echo');
refused('a POST that Sec-Fetch-Site calls cross-site', '/keep/echo', 'Sec-Fetch-Site' => 'cross-site');
refused('a script\'s POST (X-Requested-With)', '/keep/echo', Origin => $origin, 'X-Requested-With' => 'XMLHttpRequest');
refused('a fetch() (Sec-Fetch-Mode cors)', '/keep/echo', Origin => $origin, 'Sec-Fetch-Mode' => 'cors');
refused('a POST that wants JSON', '/keep/echo', Origin => $origin, Accept => 'application/json');
refused('a JSON body', '/keep/echo', Origin => $origin, 'Content-Type' => 'application/json', content => '{"a":1}');
refused('a multipart form', '/keep/echo', Origin => $origin,
        'Content-Type' => 'multipart/form-data; boundary=x', content => "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--x--\r\n");
refused('a form that is not UTF-8', '/keep/echo', Origin => $origin, content => 'note=caf%E9');
refused('a form with %00', '/keep/echo', Origin => $origin, content => 'note=a%00b');
refused('a form with a bad escape', '/keep/echo', Origin => $origin, content => 'note=%zz');
refused('a form larger than Auth0PreservePost On 64', '/keep-small/echo', Origin => $origin, content => 'n=' . ('x' x 63));
refused('a form where Auth0PreservePost is off again', '/keep-small/off/echo', Origin => $origin);
refused('a form where Auth0PreservePost is not set', '/echo', Origin => $origin);
refused('a form with Origin null and no Sec-Fetch-Site', '/keep/echo', Origin => 'null');
refused('a form with Origin null from a sandboxed frame', '/keep/echo', Origin => 'null', 'Sec-Fetch-Site' => 'cross-site');
refused('a form with a field without a name', '/keep/echo', Origin => $origin, content => 'a=1&=2');
# what a browser would not post again as it came: a lone line break (it sends CRLF), a _charset_ field
# (it sends the page's encoding, UTF-8)
refused('a form with a lone LF', '/keep/echo', Origin => $origin, content => 'note=one%0Atwo');
refused('a form with a lone CR', '/keep/echo', Origin => $origin, content => 'note=one%0D');
refused('a form with CR CR LF', '/keep/echo', Origin => $origin, content => 'note=one%0D%0D%0Atwo');
refused('a form with a lone LF in a name', '/keep/echo', Origin => $origin, content => 'a%0Ab=1');
refused('a form with _charset_ other than UTF-8', '/keep/echo', Origin => $origin, content => 'note=x&_charset_=latin1');
refused('a form with _CHARSET_ empty', '/keep/echo', Origin => $origin, content => 'note=x&_CHARSET_=');
refused('a form to a URL that cannot be a landing page', '//keep/echo', Origin => $origin);
refused('a form to a URL longer than a login keeps (1024 bytes)', '/keep/echo?x=' . ('y' x 1100), Origin => $origin);

my $res = browser()->request(POST => "$site/keep-small/echo", Origin => $origin, content => 'n=' . ('x' x 62));
is $res->code, 302, 'a form of exactly Auth0PreservePost On 64 bytes is kept';
$res = browser()->request(POST => "$site/keep/echo", 'Sec-Fetch-Site' => 'same-origin', content => $form);
is $res->code, 302, 'a form without Origin but with Sec-Fetch-Site: same-origin is kept';
$res = browser()->request(POST => "$site/keep/echo", Origin => 'null', 'Sec-Fetch-Site' => 'same-origin', content => $form);
is $res->code, 302, 'a form with Origin null (Referrer-Policy no-referrer) and Sec-Fetch-Site: same-origin is kept';
$res = browser()->request(POST => "$site/keep/echo", Origin => $origin, 'Content-Type' => 'Application/X-WWW-Form-Urlencoded; charset=UTF-8', content => $form);
is $res->code, 302, 'the media type is compared without case, with parameters';
my $mark = log_mark();
$res = browser()->request(POST => "$site/keep/echo", Origin => 'https://evil.example', content => $form);
like log_since($mark), qr/not kept \(Auth0PreservePost\): not posted from a page of this site/, 'why a form is not kept is logged';

# ---- a body that cannot be read whole: httpd's own status, and one response -------------------------------
{
	my $port = free_port();
	my ($h, $out) = httpd_start(app_site(port => $port, server => "Timeout 2\n",
	                                     vhost => "Auth0PreservePost On\n    <Location /limit/>\n"
	                                            . "        LimitRequestBody 100\n    </Location>"));
	ok $h, 'an httpd with Timeout 2 and a location with LimitRequestBody 100' or diag $out;
	SKIP: {
		skip 'no httpd', 5 unless $h;
		my $here = "https://127.0.0.1:$port";
		# what the server sends back to a raw request (until it closes, or 15 s)
		my $raw = sub {
			my ($head, $body, $pause) = @_;
			my $s = IO::Socket::SSL->new(PeerHost => '127.0.0.1', PeerPort => $port, SSL_ca_file => $ENV{AUTH0_TEST_CA_FILE},
			                             SSL_verifycn_name => '127.0.0.1', SSL_verifycn_scheme => 'http') or die "connect: $!";
			print $s $head . $body;
			my ($got, $deadline) = ('', time + 15);
			while (time < $deadline) {
				last unless IO::Select->new($s)->can_read($deadline - time);
				my $n = sysread $s, my $buf, 65536;
				last unless $n;
				$got .= $buf;
			}
			close $s;
			return $got;
		};
		my $head = "POST %s HTTP/1.1\r\nHost: 127.0.0.1:$port\r\nOrigin: $here\r\nAccept: text/html\r\n"
		         . "Content-Type: application/x-www-form-urlencoded\r\n%s\r\n";
		my $started = time;
		my $got = $raw->(sprintf($head, '/echo', "Content-Length: 100\r\n"), 'note=');
		like $got, qr{^HTTP/1\.1 408 }, 'a form whose client stops sending: 408, as httpd answers it';
		cmp_ok time - $started, '<', 12, '... after Timeout, not later';
		$got = $raw->(sprintf($head, '/limit/echo', "Transfer-Encoding: chunked\r\n"),
		              sprintf("%x\r\n%s\r\n0\r\n\r\n", 150, 'n=' . ('x' x 148)));
		like $got, qr{^HTTP/1\.1 413 }, 'a chunked form over LimitRequestBody: 413';
		my @status_lines = $got =~ m{(HTTP/1\.1 \d{3} )}g;
		is scalar(@status_lines), 1, '... one response, with no page of the module after it';
		unlike $got, qr/Bad Request/, '... and no 400';
		httpd_stop($h);
	}
}

# the metrics count them
my $m = browser()->get("$site/metrics")->decoded_content;
like $m, qr/^auth0_preserved_posts_total\{outcome="kept"\} [1-9]/m, 'metrics count the kept forms';
like $m, qr/^auth0_preserved_posts_total\{outcome="reposted"\} [1-9]/m, '... and those posted again';

done_testing;
