# Attack matrix: requests that imitate a CORS preflight, and the module's cookies at a backend.
#
#   CORS preflight imitations (Auth0CORSPreflight answer, the default): OPTIONS requests with Origin and
#     Access-Control-Request-Method to a protected reverse-proxied path, with a body (Content-Length,
#     chunked), with method-override headers, with spoofed identity headers, a session cookie or a bearer
#     token; preflight headers on other methods. A case passes when nothing reaches the backend: httpd
#     answers 204 (a real preflight) or refuses (401/302 to the login).
#   the module's cookies at a backend: a signed-in browser (plus a pending login) through the reverse
#     proxy, its Cookie header written in every way a client may (bare ";", spaces, tabs, commas, quotes,
#     pairs without "=", duplicates, chunk names): the backend never gets the session's or the logins'
#     cookies, and gets the others.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
use Auth0Test::Attacks;
use Auth0Test::Matrix;
use JSON::PP ();
use Test::More;

reset_tenant();
autologin('alice@example.com');
my $m = Auth0Test::Matrix->new('attacks');
my $JSON = JSON::PP->new;
my $jar = login('ATTACK') or BAIL_OUT('cannot sign in on the attack site');
my $cookie = jar_header($jar);
my ($session) = $cookie =~ /(__Host-atk=[^;]+)/;
BAIL_OUT('no session cookie') unless $session;

my @ASK = ('Origin: https://evil.example', 'Access-Control-Request-Method: GET');

sub at_backend { my ($res) = @_; return ($res->{body} // '') =~ /"ENV"/ }

# ---- CORS preflight imitations -------------------------------------------------------------------------
$m->group('CORS preflight imitations',
	about    => 'OPTIONS with preflight headers, and variations, to a protected reverse-proxied path (/proxy/)',
	expected => 'nothing reaches the backend: a real preflight is answered 204 by httpd, anything else refused');

my @PREFLIGHT = (
	['a real preflight'                    => "OPTIONS", [@ASK],                                        '', 204],
	['with Access-Control-Request-Headers' => "OPTIONS", [@ASK, 'Access-Control-Request-Headers: authorization'], '', 204],
	['with a body (Content-Length)'        => "OPTIONS", [@ASK, 'Content-Type: application/json'],      '{"a":1}', 401],
	['with a chunked body'                 => "OPTIONS", [@ASK, 'Transfer-Encoding: chunked'],          "2\r\nhi\r\n0\r\n\r\n", 401],
	['with X-HTTP-Method-Override: DELETE' => "OPTIONS", [@ASK, 'X-HTTP-Method-Override: DELETE'],      '', 204],
	['with spoofed identity headers'       => "OPTIONS", [@ASK, 'X-Auth0-Sub: evil', 'X-Auth0-Email: e@x'], '', 204],
	['with a stolen-looking session cookie' => "OPTIONS", [@ASK, "Cookie: $session"],                   '', 204],
	['with a bearer token'                 => "OPTIONS", [@ASK, 'Authorization: Bearer abc.def.ghi'],   '', 204],
	['Origin only'                         => "OPTIONS", ['Origin: https://evil.example'],              '', 401],
	['Access-Control-Request-Method only'  => "OPTIONS", ['Access-Control-Request-Method: GET'],        '', 401],
	['preflight headers on a GET'          => "GET",     [@ASK, 'Accept: application/json'],            '', 401],
	['preflight headers on a POST'         => "POST",    [@ASK, 'Content-Type: text/plain'],            'x', 401],
	['preflight headers on a DELETE'       => "DELETE",  [@ASK],                                        '', 401],
);
for my $p (@PREFLIGHT) {
	my ($name, $method, $headers, $body, $want) = @$p;
	my $req = "$method /proxy/x HTTP/1.1\r\nHost: 127.0.0.1:" . aport('ATTACK') . "\r\n" . join('', map {"$_\r\n"} @$headers);
	$req .= 'Content-Length: ' . length($body) . "\r\n" if length $body && !grep { /^Transfer-Encoding/ } @$headers;
	$req .= "\r\n$body";
	my $res = raw_request(port => 'ATTACK', raw => $req, close => 1);
	my $backend = at_backend($res);
	my $pass = !$backend && $res->{status} == $want;
	$m->case(group => 'CORS preflight imitations', case => $name, target => "$method /proxy/x",
		expected => "$want from httpd, nothing at the backend",
		observed => $res->{status} . ($backend ? ', reached the backend' : ''), pass => $pass);
}

# ---- the module's cookies at a backend ----------------------------------------------------------------
$m->group('module cookies at a backend',
	about    => 'a signed-in browser through the reverse proxy, its Cookie header written in every way a client may',
	expected => 'the backend gets the site\'s other cookies, never the session\'s nor the logins\'');

my $txn = '__Host-auth0_txn_0123456789abcdef=pending';
my @SPELLINGS = (
	['as browsers write it'          => join('; ', 'theme=dark', $session, $txn, 'cart=1')],
	['bare ";" separators'           => join(';', 'theme=dark', $session, $txn, 'cart=1')],
	['spaces and tabs'               => join(" ;\t ", 'theme=dark', $session, $txn, 'cart=1')],
	['commas before names'           => join('; ,', 'theme=dark', $session, $txn, 'cart=1')],
	['ours first'                    => join('; ', $session, 'theme=dark', 'cart=1')],
	['ours last, trailing ";"'       => join('; ', 'theme=dark', 'cart=1', $session) . ';'],
	['duplicated session cookie'     => join('; ', 'theme=dark', $session, $session, 'cart=1')],
	['chunk names'                   => join('; ', 'theme=dark', $session, '__Host-atk.0=aaa', '__Host-atk.1=bbb', 'cart=1')],
	['quoted values'                 => join('; ', 'theme="dark"', $session, $txn, 'cart="1"')],
	['pairs without "="'             => join('; ', 'theme=dark', 'flag', $session, 'cart=1', 'other')],
	# httpd joins repeated headers with ", " (browsers never send two Cookie headers): the session is not
	# found, and the request is refused
	['a session cookie in a second Cookie header' => ["theme=dark; cart=1", $session]],
	['only ours'                     => join('; ', $session, $txn)],
);
for my $s (@SPELLINGS) {
	my ($name, $value) = @$s;
	my @lines = ref $value ? map {"Cookie: $_"} @$value : ("Cookie: $value");
	my $req = "GET /proxy/x HTTP/1.1\r\nHost: 127.0.0.1:" . aport('ATTACK') . "\r\n"
	  . join('', map {"$_\r\n"} 'Accept: application/json', @lines) . "\r\n";
	my $res = raw_request(port => 'ATTACK', raw => $req, close => 1);
	my $env = eval { $JSON->decode($res->{body})->{ENV} } // {};
	my $sent = $env->{HTTP_COOKIE} // '';
	my $ours = $sent =~ /__Host-atk|auth0_txn/;
	my $theirs = $name eq 'only ours' || ($sent =~ /theme=/ && $sent =~ /cart=/);
	my $pass = !$ours && ($res->{status} == 200 ? $theirs : $res->{status} == 401);
	$m->case(group => 'module cookies at a backend', case => $name, target => 'GET /proxy/x (signed in)',
		expected => 'no __Host-atk* or auth0_txn_* at the backend, the others there (or 401)',
		observed => "$res->{status}, backend got: " . ($sent eq '' ? '(no Cookie)' : $sent =~ s/__Host-atk=[^;]+/__Host-atk=.../r),
		pass => $pass);
}

$m->summary;
done_testing;
