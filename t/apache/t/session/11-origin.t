# The origin of the request: plain http from loopback (development), a TLS-terminating proxy that is
# trusted (X-Forwarded-*, Forwarded) or not, and plain http from anywhere else (refused).
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
my $port  = port('SESSION_PLAIN');
my $plain = "http://127.0.0.1:$port";

sub start {
	my ($path, %h) = @_;
	my $b = browser();
	my $res = $b->get("$plain$path", %h);
	my $loc = $res->is_redirect ? URI->new($res->header('Location')) : undef;
	return ($res, $loc ? $loc->query_param('redirect_uri') : undef, $b);
}

# ---- development: plain http straight from loopback --------------------------------------------------------
my ($res, $redirect, $b) = start('/echo');
is $res->code, 302, 'plain http from loopback: a login starts';
is $redirect, "$plain/callback", '... with an http redirect URI';
my ($txn) = grep {/^auth0_txn_/} $res->header('Set-Cookie');
ok $txn, '... a transaction cookie without the __Host- prefix';
unlike $txn, qr/Secure/, '... and without Secure (the browser would drop it)';
$b = browser();
$res = $b->visit("$plain/echo");
is json_of($res)->{REMOTE_USER}, ALICE, 'the whole login works over plain http on loopback';
ok $b->cookie('auth0_session'), '... with a plain auth0_session cookie';

# ---- behind a trusted proxy (loopback is trusted by default) ------------------------------------------------
($res, $redirect) = start('/echo', 'X-Forwarded-Proto' => 'https', 'X-Forwarded-Host' => 'app.example.com');
is $redirect, 'https://app.example.com/callback', 'X-Forwarded-Proto and -Host make the redirect URI';
ok((grep {/^__Host-auth0_txn_\w+=.*; Secure/} $res->header('Set-Cookie')), '... and the cookies __Host- and Secure');
($res, $redirect) = start('/echo', 'X-Forwarded-Proto' => 'https', 'X-Forwarded-Host' => 'app.example.com',
	'X-Forwarded-Port' => '8443');
is $redirect, 'https://app.example.com:8443/callback', 'X-Forwarded-Port';
($res, $redirect) = start('/rfc7239/echo', Forwarded => 'for=192.0.2.7;proto=https;host="app.example.com:8443"');
is $redirect, 'https://app.example.com:8443/callback', 'Auth0TrustForwardedHeaders Forwarded: Forwarded (RFC 7239)';
# one family only: a proxy that sets one passes the client's copy of the other through
($res, $redirect) = start('/echo', 'X-Forwarded-Proto' => 'https', 'X-Forwarded-Host' => 'app.example.com',
	Forwarded => 'proto=https;host=other.example.com');
is $redirect, 'https://app.example.com/callback', 'On: a Forwarded header beside X-Forwarded-* is ignored';
($res, $redirect) = start('/echo', Forwarded => 'proto=https;host="app.example.com:8443"');
is $redirect, "$plain/callback", '... and alone too';
($res, $redirect) = start('/rfc7239/echo', 'X-Forwarded-Proto' => 'https', 'X-Forwarded-Host' => 'evil.example.com',
	Forwarded => 'proto=https;host=app.example.com');
is $redirect, 'https://app.example.com/callback', 'Forwarded: X-Forwarded-* beside it are ignored';
($res, $redirect) = start('/rfc7239/echo', 'X-Forwarded-Proto' => 'https', 'X-Forwarded-Host' => 'app.example.com');
is $redirect, "$plain/callback", '... and alone too';
($res, $redirect) = start('/echo', 'X-Forwarded-Proto' => 'http, https', 'X-Forwarded-Host' => 'evil.example.com, app.example.com');
is $redirect, 'https://app.example.com/callback', 'lists: the last element (added by our proxy) counts';
($res, $redirect) = start('/echo', 'X-Forwarded-Proto' => 'https', 'X-Forwarded-Host' => 'evil.example.com/x@y');
like $redirect, qr{^https://127\.0\.0\.1(:\d+)?/callback$}, 'a malformed X-Forwarded-Host is ignored';

my $mark = log_mark();
($res) = start('/echo', 'X-Forwarded-Proto' => 'http');
is $res->code, 403, 'plain http that a proxy forwards from elsewhere is refused';
like $res->content, qr/HTTPS is required/, '... with a page that says why';
like log_since($mark), qr/refused a plain-http request/, '... and a log line';

# ---- headers from where they are not trusted are ignored ------------------------------------------------------
($res, $redirect) = start('/untrusted/echo', 'X-Forwarded-Proto' => 'https', 'X-Forwarded-Host' => 'app.example.com');
is $redirect, "$plain/callback", 'Auth0TrustForwardedHeaders off: X-Forwarded-* ignored';
($res, $redirect) = start('/remote-proxy/echo', 'X-Forwarded-Proto' => 'https', 'X-Forwarded-Host' => 'app.example.com');
is $redirect, "$plain/callback", 'a peer that is not in Auth0TrustedProxies: ignored';

# ---- https sites ignore X-Forwarded-* unless told to trust them ---------------------------------------------------
$b = browser();
$res = $b->get(url('SESSION', '/echo'), 'X-Forwarded-Host' => 'evil.example.com', 'X-Forwarded-Proto' => 'http');
is(URI->new($res->header('Location'))->query_param('redirect_uri'), url('SESSION', '/callback'),
	'an https site without Auth0TrustForwardedHeaders ignores them');

done_testing();
