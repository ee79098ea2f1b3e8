# Attack matrix: oversize cookies and headers. Hundreds or thousands of cookies, one huge cookie, piles of
# login transaction cookies or session chunks, huge or numerous identity and Authorization headers, huge
# query strings and form bodies, at the places mod_auth0 reads them (page navigations that start a login,
# API requests, the callback, logout, bearer locations).
#
# A case passes when the answer is a clean one (never 5xx, never a dropped connection): below httpd's
# limits (LimitRequestFieldSize 65536 in this suite, LimitRequestFields 100, LimitRequestLine 8190) the
# request is handled as usual (a login, a 401, a page), beyond them httpd answers 4xx itself; httpd stays
# up and logs no crash; the answer deletes at most a bounded number of cookies (no amplification).
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
use Auth0Test::Api;
use Auth0Test::Attacks;
use Auth0Test::Matrix;
use Test::More;

reset_tenant();
autologin('alice@example.com');
my $m = Auth0Test::Matrix->new('attacks');
my $G = 'oversize cookies and headers';
$m->group($G, about => 'cookies and headers by the thousand or by the hundred kilobytes where mod_auth0 reads them',
	expected => 'a clean answer (2xx/3xx/4xx as usual, or httpd\'s own 4xx beyond its limits), never 5xx or a crash');
my $mark = log_mark();
my $jar = login('ATTACK') or BAIL_OUT('cannot sign in');
my $session = jar_header($jar);

my @NAV = (Accept => 'text/html', 'Sec-Fetch-Mode' => 'navigate');
my @API = (Accept => 'application/json');

sub junk { my ($n, $c) = @_; my $ch = $c // 'A'; return $ch x $n }

sub case {
	my ($case, %o) = @_;
	my $res = raw_request(port => $o{port} // 'ATTACK', method => $o{method} // 'GET', target => $o{target} // '/cgi/big',
		headers => $o{headers}, body => $o{body}, raw => $o{raw}, close => 1);
	my $st = $res->{status};
	my $want = $o{want};    # a list of acceptable statuses, or undef for "any clean answer"
	my $ok = $st >= 200 && $st < 500 && (!$want || grep { $_ == $st } @$want);
	my $sc = scalar set_cookies($res);
	my $hbytes = length($res->{head} // '');
	$ok &&= $sc <= $o{max_cookies} if defined $o{max_cookies};
	$m->case(group => $G, case => $case, target => $o{where} // ($o{method} // 'GET') . ' ' . ($o{target} // '/cgi/big'),
		expected => ($want ? join('/', @$want) : 'any clean answer (< 500)')
		  . (defined $o{max_cookies} ? ", at most $o{max_cookies} Set-Cookie" : ''),
		observed => ($st || "no answer ($res->{error})") . ($sc ? ", $sc Set-Cookie, $hbytes header bytes" : ''), pass => $ok);
	return $res;
}

# ---- cookies ----------------------------------------------------------------------------------------------------
for my $n (100, 500, 2000) {
	my $cookies = join '; ', map {"c$_=v$_"} 1 .. $n;
	case("$n small cookies, a navigation", headers => [@NAV, Cookie => $cookies], want => [302]);
	case("$n small cookies beside a valid session, an API request", headers => [@API, Cookie => "$cookies; $session"], want => [200]);
}
case('a Cookie header of 70 KB (beyond LimitRequestFieldSize)', headers => [@NAV, Cookie => 'c=' . junk(70000)], want => [400]);
case('one session cookie of 60 KB', headers => [@API, Cookie => '__Host-atk=' . junk(60000)], want => [401]);
case('one session cookie of 60 KB, a navigation', headers => [@NAV, Cookie => '__Host-atk=' . junk(60000)], want => [302]);
case('one session cookie of 100 KB', headers => [@API, Cookie => '__Host-atk=' . junk(100000)], want => [400]);
case('100 Cookie header lines', headers => [@API, map { (Cookie => "k$_=v") } 1 .. 90], want => [401]);
case('101 header lines (beyond LimitRequestFields)', headers => [@API, map { ("X-H$_" => 'v') } 1 .. 101], want => [400]);
for my $n (50, 300, 1000) {
	my $txn = join '; ', map { sprintf '__Host-auth0_txn_%016x=%s', $_, junk(20, 'B') } 1 .. $n;
	my $res = case("$n damaged login transaction cookies, a navigation (a login starts, they are deleted, 32 at a time)",
		headers => [@NAV, Cookie => $txn], want => [302], max_cookies => 33);
}
{
	# real pending logins: far more than Auth0MaxLoginTransactions
	my $j = {};
	start_login('ATTACK', "/cgi/tab$_", jar => $j) for 1 .. 30;
	my $pending = grep {/auth0_txn_/} keys %$j;
	case("$pending real pending logins after 30 tabs (the cap keeps the newest)", headers => [@NAV, Cookie => jar_header($j)], want => [302]);
	$m->case(group => $G, case => 'pending logins after 30 tabs: at most Auth0MaxLoginTransactions (5)', target => 'the browser\'s jar',
		expected => '<= 5', observed => $pending, pass => $pending <= 5);
}
for my $n (30, 500, 2000) {
	my $chunks = join '; ', map {"__Host-atk.$_=" . junk(8)} 0 .. $n - 1;
	case("$n session chunks of junk (the 24 the module may write are deleted)", headers => [@API, Cookie => $chunks],
		want => [401], max_cookies => 24);
}
# other spellings of the same indexes, and the same name many times: each index is deleted once
case('2000 spellings of chunk indexes (1, 01, 001, +1, ...)', headers => [@API, Cookie => join('; ',
	map { my $i = $_ % 24; ("__Host-atk." . ('0' x int($_ / 24)) . "$i=QUFB", "__Host-atk.+$i=QUFB") } 0 .. 999)],
	want => [401], max_cookies => 24);
case('one chunk name 2000 times', headers => [@API, Cookie => join('; ', ('__Host-atk.3=QUFB') x 2000)],
	want => [401], max_cookies => 24);
case('session chunks with huge indexes', headers => [@API, Cookie => join('; ', map {"__Host-atk.$_=QUFB"} 0, 99999999999999999999, -1, '1e9')],
	want => [401]);
case('a cookie with 10000 "=" and ";"', headers => [@API, Cookie => '__Host-atk=' . ('=;' x 10000)], want => [401]);
case('a cookie header of only separators', headers => [@API, Cookie => ';' x 30000], want => [401]);

# ---- identity and Authorization headers ---------------------------------------------------------------------
case('an X-Auth0-Sub header of 60 KB', headers => [@API, Cookie => $session, 'X-Auth0-Sub' => junk(60000)], want => [200]);
case('90 X-Auth0-* headers', headers => [@API, Cookie => $session, map { ("X-Auth0-H$_" => 'evil') } 1 .. 90], want => [200]);
case('90 X-Auth0-Sub headers', headers => [@API, Cookie => $session, map { ('X-Auth0-Sub' => "evil$_") } 1 .. 90], want => [200]);
case('a bearer token of 60 KB (junk)', target => '/bearer/x', headers => [Authorization => 'Bearer ' . junk(60000)], want => [401]);
case('a bearer token of 60 KB (three parts of junk)', target => '/bearer/x',
	headers => [Authorization => 'Bearer ' . join('.', junk(20000), junk(20000), junk(19000))], want => [401]);
case('90 Authorization headers', target => '/bearer/x', headers => [map { (Authorization => 'Bearer x') } 1 .. 90], want => [400]);
case('an Authorization header of 100 KB', target => '/bearer/x', headers => [Authorization => 'Bearer ' . junk(100000)], want => [400]);
case('a bearer token of 8000 dots', target => '/bearer/x', headers => [Authorization => 'Bearer ' . ('.' x 8000)], want => [401]);

# ---- query strings and bodies at the callback and logout -----------------------------------------------------
case('a callback query of 8 KB (beyond LimitRequestLine)', target => '/callback?state=' . junk(9000) . '&code=x', headers => \@NAV,
	want => [414]);
case('a callback with 1000 parameters', target => '/callback?' . join('&', map {"p$_=v"} 1 .. 1000), headers => \@NAV, want => [400]);
case('a callback with 300 state parameters', target => '/callback?' . join('&', map {"state=s$_"} 1 .. 300) . '&code=x',
	headers => \@NAV, want => [400]);
case('a logout returnTo of 7 KB', target => '/logout?returnTo=' . junk(7000), headers => ['Sec-Fetch-Site' => 'same-origin'], want => [400]);
case('a logout form of 1 MB', method => 'POST', target => '/logout',
	headers => [Cookie => $session, 'Content-Type' => 'application/x-www-form-urlencoded'],
	body => 'returnTo=' . junk(1024 * 1024), want => [200, 400, 413]);
case('a logout form of 20000 fields', method => 'POST', target => '/logout',
	headers => [Cookie => $session, 'Content-Type' => 'application/x-www-form-urlencoded'],
	body => join('&', map {"f$_=v"} 1 .. 20000), want => [200, 400, 413]);
case('a chunked logout form of 1 MB', method => 'POST', target => '/logout',
	raw => "POST /logout HTTP/1.1\r\nHost: 127.0.0.1:" . aport('ATTACK') . "\r\nCookie: $session\r\n"
	  . "Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n"
	  . join('', map { sprintf("%x\r\n%s\r\n", 16384, 'r' x 16384) } 1 .. 64) . "0\r\n\r\n", want => [200, 400, 413]);

# ---- still up, no crash ----------------------------------------------------------------------------------------
ok alive('ATTACK'), 'httpd still answers';
my $log = log_since($mark);
my @crash = grep {/exit signal|Segmentation|AH00052|AH00060|double free|AddressSanitizer|runtime error/} split /\n/, $log;
$m->case(group => $G, case => 'no child crashed during the oversize cases', target => 'the error log',
	expected => 'no crash line', observed => @crash ? $crash[0] : 'none', pass => !@crash);
$m->summary;
done_testing();
