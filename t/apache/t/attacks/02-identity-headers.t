# Attack matrix: identity spoofing. Every spelling of a client-sent identity header (case, "_" for "-",
# duplicates, the CGI collision of X-Auth0-Foo_Bar and X-Auth0-Foo-Bar, other separators, obsolete line
# folding, a chunked trailer, the access-token header, the configured prefix) against every kind of path
# where mod_auth0 is configured: a browser session, an anonymous pass-through, a bearer token, a bearer
# pass-through, a location authorized by "Require ip" alone (no authentication runs), each to a CGI and
# through a reverse proxy.
#
# A case passes when the backend (its whole CGI environment, and every header the proxied backend
# received) holds no spoofed value under any name that a backend could take for identity: the variables
# REMOTE_USER and AUTH0_*, and headers (or their HTTP_ variables) whose name, with every non-alphanumeric
# character read as "_" (as CGI gateways do), starts with X_AUTH0_ or the configured prefix; or when httpd
# refuses the request (4xx).
# Authenticated paths must also still carry the real identity.
# Existing single cases: t/api/identity.t (bearer, proxy and CGI spellings, SetEnvIf, internal redirects).
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
use Auth0Test::Api;
use Auth0Test::Attacks;
use Auth0Test::Matrix;
use JSON::PP ();
use Test::More;

reset_tenant();
autologin('alice@example.com');
my $m = Auth0Test::Matrix->new('attacks');
my $JSON = JSON::PP->new->allow_nonref;

my $jar = login('ATTACK') or BAIL_OUT('cannot sign in on the ATTACK site');
my $cookie = jar_header($jar);
my $token = m2m_token();
my $M2M = 'demo-m2m-client@clients';

# path kind => [path, credentials, identity expected (REMOTE_USER), prefix, proxied]
my @PATHS = (
	['browser session, CGI',                       '/cgi/x',          'cookie', ALICE, 'X-Auth0-', 0],
	['browser session, reverse proxy',             '/proxy/x',        'cookie', ALICE, 'X-Auth0-', 1],
	['browser session, Auth0PassAccessToken',      '/token/x',        'cookie', ALICE, 'X-Auth0-', 0],
	['browser session, prefix X-User-',            '/prefix/x',       'cookie', ALICE, 'X-User-',  0],
	['anonymous, Auth0Unauthenticated pass',       '/pass/x',         'none',   '',    'X-Auth0-', 0],
	['Require ip only, CGI',                       '/ip-only/x',      'none',   undef, 'X-Auth0-', 0],
	['Require ip only, reverse proxy',             '/ip-proxy/x',     'none',   undef, 'X-Auth0-', 1],
	['bearer token, CGI (Auth0PassAccessToken)',   '/bearer/x',       'bearer', $M2M,  'X-Auth0-', 0],
	['bearer token, reverse proxy',                '/bearer-proxy/x', 'bearer', $M2M,  'X-Auth0-', 1],
	['bearer, anonymous pass',                     '/bearer-pass/x',  'none',   '',    'X-Auth0-', 0],
);

# spelling => sub(prefix) -> header lines (raw, without CRLF), or a hash {lines, chunked trailer}
my @SPELLINGS = (
	['canonical'                      => sub { ["$_[0]Sub: evil-a"] }],
	['lower case'                     => sub { [lc("$_[0]sub") . ': evil-b'] }],
	['upper case'                     => sub { [uc("$_[0]SUB") . ': evil-c'] }],
	['underscores'                    => sub { [us("$_[0]Sub") . ': evil-d'] }],
	['underscores, lower case'        => sub { [lc(us("$_[0]sub")) . ': evil-e'] }],
	['mixed - and _'                  => sub { [mix("$_[0]Sub") . ': evil-f'] }],
	['dot separator'                  => sub { [sep("$_[0]Sub", '.') . ': evil-g'] }],
	['tilde separator'                => sub { [sep("$_[0]Sub", '~') . ': evil-h'] }],
	['duplicate header'               => sub { ["$_[0]Sub: evil-i1", "$_[0]Sub: evil-i2"] }],
	['duplicate, two spellings'       => sub { ["$_[0]Sub: evil-j1", us("$_[0]sub") . ': evil-j2'] }],
	['another claim (email)'          => sub { ["$_[0]Email: evil-k\@example.com"] }],
	['CGI collision Foo_Bar + Foo-Bar' => sub { ["$_[0]Foo_Bar: evil-l1", "$_[0]Foo-Bar: evil-l2"] }],
	['CGI collision Foo_Bar alone'    => sub { ["$_[0]Foo_Bar: evil-m"] }],
	['access-token header'            => sub { ["$_[0]Access-Token: evil-n"] }],
	['access-token header, underscores' => sub { [us("$_[0]Access_Token") . ': evil-o'] }],
	['access-token header, lower case' => sub { [lc("$_[0]access-token") . ': evil-p'] }],
	['no space after the colon'       => sub { ["$_[0]Sub:evil-q"] }],
	['tab before the value'           => sub { ["$_[0]Sub:\tevil-r"] }],
	['obsolete line folding of the value' => sub { ["$_[0]Sub: evil-s", " evil-s-continued"] }],
	['line folding hides a header'    => sub { ['X-Note: a', " $_[0]Sub: evil-t"] }],
	['space before the colon'         => sub { ["$_[0]Sub : evil-u"] }],
	['REMOTE_USER and AUTH0_CLAIM_ as headers' => sub { ['REMOTE_USER: evil-v1', 'Remote-User: evil-v2',
		'AUTH0_CLAIM_sub: evil-v3', 'Auth0-Claim-Sub: evil-v4', 'Auth0-Access-Token: evil-v5'] }],
	['chunked trailer'                => sub { {trailer => ["$_[0]Sub: evil-w"]} }],
	['default prefix where another is configured' => sub { ['X-Auth0-Sub: evil-x', 'x_auth0_sub: evil-x2'] }],
);

sub us  { my ($s) = @_; $s =~ tr/-/_/; return $s }
sub mix { my ($s) = @_; my $i = 0; $s =~ s/-/$i++ % 2 ? '_' : '-'/ge; return $s }
sub sep { my ($s, $c) = @_; $s =~ s/-/$c/g; return $s }

# a name as a CGI gateway may turn it into a variable
sub cgi_name { my ($n) = @_; $n = uc $n; $n =~ s/[^A-Z0-9]/_/g; return $n }

# Names of identity at the backend for this path's prefix: variables (REMOTE_USER, AUTH0_*, and the
# HTTP_ forms of our headers) and the headers a proxied backend gets (X-Auth0-*, the prefix).
sub identity_var {
	my ($name, $prefix) = @_;
	my $n = cgi_name($name);
	my $p = cgi_name($prefix);
	return $n eq 'REMOTE_USER' || $n =~ /^AUTH0_/ || $n =~ /^HTTP_X_AUTH0_/ || $n =~ /^HTTP_\Q$p\E/;
}

sub identity_header {
	my ($name, $prefix) = @_;
	my $n = cgi_name($name);
	my $p = cgi_name($prefix);
	return $n =~ /^X_AUTH0_/ || $n =~ /^\Q$p\E/;
}

$m->group('identity spoofing: ' . $_->[0],
	about    => 'client-sent identity headers in every spelling, to ' . $_->[1],
	expected => 'no spoofed value reaches the backend under an identity name (or 4xx); the real identity is there')
  for @PATHS;

for my $p (@PATHS) {
	my ($kind, $path, $cred, $user, $prefix, $proxied) = @$p;
	for my $s (@SPELLINGS) {
		my ($spelling, $make) = @$s;
		next if $spelling =~ /^default prefix/ && $prefix eq 'X-Auth0-';
		my $spec = $make->($prefix);
		my @lines = ref $spec eq 'ARRAY' ? @$spec : ();
		my @auth = $cred eq 'cookie' ? ("Cookie: $cookie") : $cred eq 'bearer' ? ("Authorization: Bearer $token") : ();
		my $req;
		if (ref $spec eq 'HASH') {
			$req = "POST $path HTTP/1.1\r\nHost: 127.0.0.1:" . aport('ATTACK') . "\r\n"
			  . join('', map {"$_\r\n"} @auth, 'Content-Type: text/plain', 'Transfer-Encoding: chunked')
			  . "\r\n4\r\ndata\r\n0\r\n" . join('', map {"$_\r\n"} @{$spec->{trailer}}) . "\r\n";
		} else {
			$req = "GET $path HTTP/1.1\r\nHost: 127.0.0.1:" . aport('ATTACK') . "\r\n"
			  . join('', map {"$_\r\n"} 'Accept: application/json', @auth, @lines) . "\r\n";
		}
		my $res = raw_request(port => 'ATTACK', raw => $req, close => 1);
		my ($pass, $obs) = judge($res, $prefix, $user, $proxied);
		$m->case(group => "identity spoofing: $kind", case => $spelling, target => $path,
			expected => 'not at the backend', observed => $obs, pass => $pass);
	}
}

sub judge {
	my ($res, $prefix, $user, $proxied) = @_;
	my $st = $res->{status};
	return (1, "$st from httpd") if $st >= 400 && $st < 500;
	return (0, "status $st" . ($res->{error} ? " ($res->{error})" : '')) unless $st == 200;
	my $dump = eval { $JSON->decode($res->{body}) } or return (0, 'backend answer is not JSON');
	my $env = $dump->{ENV} // {};
	my @bad;
	for my $k (sort keys %$env) {
		push @bad, "$k=$env->{$k}" if identity_var($k, $prefix) && $env->{$k} =~ /evil/;
	}
	if ($proxied) {
		for my $h (@{$res->{headers}}) {
			push @bad, "backend header $h->[0]: $h->[1]" if identity_header($h->[0], $prefix) && $h->[1] =~ /evil/;
		}
	}
	return (0, 'spoofed: ' . join(', ', @bad)) if @bad;
	# the real identity is still there
	my $sub_var = 'HTTP_' . cgi_name($prefix) . 'SUB';
	if (defined $user && length $user) {
		my $got = $proxied ? (hdr($res, "${prefix}sub") // $env->{$sub_var}) : $env->{REMOTE_USER};
		return (0, 'the real identity is missing (' . ($got // 'none') . ')') unless ($got // '') eq $user;
	}
	return (1, '200, no spoofed identity' . (defined $user && length $user ? ", user $user" : ''));
}

ok alive('ATTACK'), 'httpd still answers';
$m->summary;
done_testing();
