# The URL a login returns to is the original one only when it is a safe same-origin path: anything that
# could lead elsewhere lands on Auth0PostLoginURL instead.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
use IO::Socket::SSL;
use Test::More;

reset_tenant();
autologin('alice@example.com');
my $base = url('SESSION', '');

# the original URL as the browser asked for it -> where the login lands
my @kept = ('/echo', '/echo?q=a%20b&x=%2F', '/echo?next=https://evil.example.com/');
my @landing = ('//evil.example.com/echo', '/%5cevil.example.com/',
	'/%255c%255cevil.example.com/', '/%09/evil.example.com/', '/%0d%0aLocation:%20https://evil.example.com/',
	'/%EF%BC%8F%EF%BC%8Fevil.example.com/', '/%E3%80%82evil.example.com/');

for my $path (@kept) {
	my $b  = browser();
	my $cb = $b->to_callback("$base$path");
	my $res = $b->get($cb);
	is $res->header('Location'), "$base$path", "the login returns to $path";
}
# httpd itself answers 404 to an encoded slash in a path (AllowEncodedSlashes Off)
for my $path ('/%2f%2fevil.example.com/echo', '/%2F/evil.example.com') {
	my $res = browser()->get("$base$path");
	ok !$res->is_redirect, "$path never starts a login (" . $res->code . ')';
}
for my $path (@landing) {
	my $b  = browser();
	my $cb = $b->to_callback("$base$path");
	ok $cb, "a login starts for $path";
	my $res = $b->get($cb);
	is $res->header('Location'), "$base/", "... and lands on / instead";
}

# An absolute-form request target (as sent to proxies) names the host httpd uses for the request: the
# redirect URI then names it too, and the tenant's allow-list refuses it. Nothing comes back to this site.
my $s = IO::Socket::SSL->new(PeerHost => '127.0.0.1', PeerPort => port('SESSION'), SSL_ca_file => $ENV{AUTH0_TEST_CA_FILE},
	SSL_verifycn_name => '127.0.0.1') or die "connect: $IO::Socket::SSL::SSL_ERROR";
print $s "GET https://evil.example.com/echo HTTP/1.1\r\nHost: 127.0.0.1:" . port('SESSION') . "\r\nAccept: text/html\r\nConnection: close\r\n\r\n";
my $raw = do { local $/; <$s> };
my ($authorize) = $raw =~ /^Location: (\S+)/m;
ok $authorize, 'an absolute-form request starts a login';
my $res = browser()->get($authorize);
is $res->code, 400, '... whose redirect URI the tenant refuses';
like $res->content, qr/Callback URL mismatch/, '... as a callback mismatch';

done_testing();
