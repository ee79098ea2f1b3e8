# Attack matrix: forged forms where Auth0PreservePost keeps forms across a login (/keep/, at most 4096
# bytes). Only a browser's form from a page of this site may start a login and be kept; everything else
# gets the 401 it got without the directive: another origin in every spelling, a null or missing Origin
# without the browser's same-origin signal, a script's request, bodies that cannot be posted again exactly.
# A case passes on 401 with no login started (no transaction cookie set) and no Location; the control, a
# form from this site, gets 302 to the tenant and a transaction cookie.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
use Auth0Test::Attacks;
use Auth0Test::Matrix;
use Test::More;

reset_tenant();
autologin('alice@example.com');
my $m = Auth0Test::Matrix->new('attacks');
my $port = aport('ATTACK');
my $self = "https://127.0.0.1:$port";
my $FORM = 'application/x-www-form-urlencoded';
my $G = 'forged forms (Auth0PreservePost)';
$m->group($G,
	about    => 'form POSTs without a session to /keep/ (Auth0PreservePost On 4096) from other origins, scripts, '
	          . 'and with bodies that cannot be posted again',
	expected => '401 as without Auth0PreservePost, no login started, nothing kept; control: this site\'s form gets '
	          . '302 to the tenant');

my @CASES = (
	# [name, headers, body, want] (want 302: the control)
	['a form from this site (control)',                 ['Origin' => $self],                           'note=hi', 302],
	['another origin',                                 ['Origin' => 'https://evil.example'],          'note=hi'],
	['this host on another port',                      ['Origin' => 'https://127.0.0.1:' . ($port + 1)], 'note=hi'],
	['this host without the port',                     ['Origin' => 'https://127.0.0.1'],             'note=hi'],
	['this origin over plain http',                    ['Origin' => "http://127.0.0.1:$port"],        'note=hi'],
	['this origin as a prefix of another host',        ['Origin' => "https://127.0.0.1:$port.evil.example"], 'note=hi'],
	['this origin with a path',                        ['Origin' => "$self/"],                        'note=hi'],
	['this origin and another, listed',                ['Origin' => "$self https://evil.example"],    'note=hi'],
	['this origin and another, two headers',           ['Origin' => 'https://evil.example', 'Origin' => $self], 'note=hi'],
	['this origin with userinfo',                      ['Origin' => "https://evil\@127.0.0.1:$port"], 'note=hi'],
	['Origin null, no Sec-Fetch-Site',                 ['Origin' => 'null'],                          'note=hi'],
	['Origin null from a sandboxed frame',             ['Origin' => 'null', 'Sec-Fetch-Site' => 'cross-site'], 'note=hi'],
	['no Origin, Sec-Fetch-Site same-site',            ['Sec-Fetch-Site' => 'same-site'],             'note=hi'],
	['no Origin, Sec-Fetch-Site none',                 ['Sec-Fetch-Site' => 'none'],                  'note=hi'],
	['no Origin, no Sec-Fetch-Site',                   [],                                            'note=hi'],
	['a script (X-Requested-With)',                    ['Origin' => $self, 'X-Requested-With' => 'XMLHttpRequest'], 'note=hi'],
	['a fetch() (Sec-Fetch-Mode cors)',                ['Origin' => $self, 'Sec-Fetch-Mode' => 'cors'], 'note=hi'],
	['a fetch() (Sec-Fetch-Dest empty)',               ['Origin' => $self, 'Sec-Fetch-Dest' => 'empty'], 'note=hi'],
	['a request that wants JSON',                      ['Origin' => $self, 'Accept' => 'application/json'], 'note=hi'],
	['a JSON body',                                    ['Origin' => $self, 'Content-Type' => 'application/json'], '{"note":"hi"}'],
	['a text/plain body',                              ['Origin' => $self, 'Content-Type' => 'text/plain'], 'note=hi'],
	['a multipart form',                               ['Origin' => $self, 'Content-Type' => 'multipart/form-data; boundary=x'],
	  "--x\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhi\r\n--x--\r\n"],
	['a form type as a prefix',                        ['Origin' => $self, 'Content-Type' => "${FORM}x"], 'note=hi'],
	['a body larger than the limit',                   ['Origin' => $self],                           'note=' . ('x' x 4100)],
	['a chunked body larger than the limit',           ['Origin' => $self, 'Transfer-Encoding' => 'chunked'],
	  sprintf("%x\r\n%s\r\n0\r\n\r\n", 4200, 'note=' . ('x' x 4195))],
	['a small chunked form (control)',                 ['Origin' => $self, 'Transfer-Encoding' => 'chunked'],
	  "7\r\nnote=hi\r\n0\r\n\r\n", 302],
	['a raw NUL in the body',                          ['Origin' => $self],                           "note=a\0b"],
	['an escaped NUL',                                 ['Origin' => $self],                           'note=a%00b'],
	['a bad escape',                                   ['Origin' => $self],                           'note=%zz'],
	['bytes that are not UTF-8',                       ['Origin' => $self],                           'note=caf%E9'],
	['an overlong UTF-8 encoding of "<"',              ['Origin' => $self],                           'note=%C0%BC'],
	['a field without a name',                         ['Origin' => $self],                           'note=hi&=x'],
);
for my $c (@CASES) {
	my ($name, $headers, $body, $want) = @$c;
	$want //= 401;
	my @h = @$headers;
	push @h, 'Content-Type' => $FORM unless grep { lc $_ eq 'content-type' } @h[grep { !($_ % 2) } 0 .. $#h];
	push @h, 'Accept' => 'text/html' unless grep { lc $_ eq 'accept' } @h[grep { !($_ % 2) } 0 .. $#h];
	my $res = raw_request(port => 'ATTACK', method => 'POST', target => '/keep/x', headers => \@h, body => $body,
	                      close => 1);
	my $txn = grep { /^__Host-auth0_txn_\w+=[^;]/ } set_cookies($res);
	my $to = hdr($res, 'Location') // '';
	my $pass = $want == 302 ? $res->{status} == 302 && $txn && $to =~ m{/authorize\?}
	                        : $res->{status} == 401 && !$txn && !$to;
	$m->case(group => $G, case => $name, target => 'POST /keep/x',
		expected => $want == 302 ? '302 to the tenant, a login transaction' : '401, no login started',
		observed => "$res->{status}" . ($txn ? ', a login transaction' : '') . ($to ? ", Location $to" : ''),
		pass => $pass);
}

done_testing;
