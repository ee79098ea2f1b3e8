# AuthType Auth0Bearer: a validated token is trusted for at most BEARER_CACHE_MAX (600 s) after it was
# validated, in every process, however late a process first reads the outcome from the shared cache (the
# A0B2 entry carries its trusted_until). Before, a process that read the entry at T+500 kept the token in
# its memo until T+1100.
#
# Ten minutes pass on httpd's clock only: the test's own httpd runs under libfaketime (Auth0Test::Clock),
# and every process of it jumps at once when the test moves the clock, with no sleep. The tenant, redis
# and this script keep the real time (the tokens live a day). The token validated at T:
#   T      a process validates it (JWKS fetched, shared entry written: trusted until T+600); the tenant
#          then drops the token's signing key from its JWKS; a graceful restart replaces every process,
#          so that none has the token in its memo (the shared cache is redis, which a restart keeps)
#   T+500  on a kept-alive connection C2: process B reads the shared entry
#   T+550  C2 again: from B's memo, 200
#   T+650  C2 again: B must validate the token again; its JWKS (of T) is past the module's 600 s as well,
#          so it fetches the tenant's, which lacks the key: 401. The old code answered 200 from B's memo
#          until T+1100. Redis still has the entry (it expires by redis's clock, ten minutes after T): the
#          entry's own trusted_until refuses it.
# The steps are set from T (real time measured around the validating request), not from the moment the
# test moves the clock: the restart and the wait for its old processes take real time (tens of seconds
# on a loaded machine under ASan), which would otherwise shift T+550 past T+600.
# Each premise (the clock moved, no process of before the restart is left, B read the shared entry) is
# asserted from httpd's log; C2 is one connection throughout (Net::HTTPS: no silent reconnection), so B
# is one process under both MPMs.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
use Auth0Test::Api;
use Auth0Test::Clock;
use Auth0Test::Faults;
use HTTP::Date ();
use IO::Socket::SSL;
use JSON::PP ();
use MIME::Base64 ();
use Net::HTTPS;
use Test::More;
use Time::HiRes ();

my $clock = Auth0Test::Clock->new;
plan skip_all => Auth0Test::Clock->why unless $clock;
my $redis = redis_start();
plan skip_all => 'redis-server is not installed' unless $redis;

reset_tenant();

my $port = free_port();
my $base = "https://127.0.0.1:$port";
# KeepAliveTimeout: the event MPM times kept-alive connections out by the (faked) wall clock
my $h = $clock->run(sub {
	own_httpd(ports => {$port => 'cookie'}, cache => "redis:127.0.0.1:$redis->{port}",
		extra => "KeepAliveTimeout 3600\nMaxKeepAliveRequests 0\n");
});

# ---- what httpd logged -----------------------------------------------------------------------------------
my $mark = 0;
# The bearer lines logged since the last call, as {time (httpd's clock), pid, text}.
sub bearer_lines {
	my $log = log_of($h);
	my $new = substr $log, $mark;
	$mark = length $log;
	return map {
		/^\[\w+ (\w+ \d+ [\d:]+)\.\d+ (\d+)\] .*\[pid (\d+).*mod_auth0: (bearer token .*)$/
		  ? {time => HTTP::Date::str2time("$1 $2"), pid => $3, text => $4} : ()
	} split /\n/, $new;
}

# The line of @lines that matches $re; asserts that httpd's clock said about $step s after T (of the
# validation, $t) when it was logged (the log has whole seconds; 20 s of slack for a slow machine, still
# far from the other steps and from the real time).
sub line_at {
	my ($re, $what, $t, $step, @lines) = @_;
	my ($line) = grep { $_->{text} =~ $re } @lines;
	ok $line, $what or diag explain \@lines;
	return {pid => -1} unless $line;
	cmp_ok abs($line->{time} - ($t + $step)), '<', 20, "... httpd's clock at T+$step s";
	return $line;
}

# The processes whose parent is $pid (httpd's children, mod_cgid's daemon among them).
sub children_of {
	my ($pid) = @_;
	my @kids;
	for my $stat (glob '/proc/[0-9]*/stat') {
		open my $fh, '<', $stat or next;    # gone meanwhile
		my $line = <$fh> // next;
		push @kids, $1 if $line =~ /^(\d+) \(.*\) \S+ (\d+) / && $2 == $pid;
	}
	return @kids;
}

sub kid_of {
	my ($jwt) = @_;
	my ($head) = split /\./, $jwt;
	return JSON::PP->new->decode(MIME::Base64::decode_base64url($head))->{kid};
}

# ---- T: a process validates the token ---------------------------------------------------------------------
my $token = m2m_token();
# The validation (and the JWKS fetch) happened between $t0 and $t1: the steps that must still be trusted
# count from $t0 (at most their distance from the validation), T+650 from $t1 (at least its distance).
my $t0 = Time::HiRes::time();
my $res = bearer_https($base, '/bearer/index.html', $token);
my $t1 = Time::HiRes::time();
is $res->code, 200, 'T: a valid token: 200';
line_at(qr/: validated$/, 'T: validated', $t0, 0, bearer_lines());

my $kid = kid_of($token);
my $rotated = control(POST => '/__control/keys/rotate', {drop_old => JSON::PP::true});
isnt $rotated->{kid}, $kid, 'the tenant signs with a new key';
my $keys = control(GET => '/__control/keys');
ok !(grep { $_->{kid} eq $kid } @{$keys->{keys}}), "... and its JWKS no longer has the token's key";

my @before = children_of($h->{pid});
ok graceful($h), 'graceful restart';
ok wait_until(30, sub { !grep { kill 0, $_ } @before }), '... no process of before it is left';
bearer_lines();

# ---- T+500: process B reads the shared entry ---------------------------------------------------------------
my $c2 = Net::HTTPS->new(Host => "127.0.0.1:$port", KeepAlive => 1, SSL_ca_file => $ENV{AUTH0_TEST_CA_FILE},
	SSL_verifycn_name => '127.0.0.1', SSL_verifycn_scheme => 'http', Timeout => 30)
  or die "connect: $@ $IO::Socket::SSL::SSL_ERROR";

# A request with the token on C2: (code, headers).
sub c2_get {
	$c2->write_request(GET => '/bearer/index.html', Authorization => "Bearer $token") or die "write on C2: $!";
	my ($code, undef, %headers) = $c2->read_response_headers;
	while ($c2->read_entity_body(my $buf, 4096) > 0) { }
	return ($code, \%headers);
}

$clock->at($t0 + 500);
my ($code, $headers) = c2_get();
is $code, 200, 'T+500: 200';
my $b_pid = line_at(qr/: from the shared cache$/, '... from the shared cache (a process that had not seen the token)',
	$t0, 500, bearer_lines())->{pid};
ok !(grep { $_ == $b_pid } @before), '... process B, started after the restart';

# ---- T+550: still trusted --------------------------------------------------------------------------------------
$clock->at($t0 + 550);
($code, $headers) = c2_get();
is $code, 200, 'T+550: 200';
my @lines = bearer_lines();
is line_at(qr/^bearer token from the process cache$/, '... from a memo', $t0, 550, @lines)->{pid}, $b_pid, "... B's";
is scalar @lines, 1, '... and nothing else';

# ---- T+650: validated again ----------------------------------------------------------------------------------
$clock->at($t1 + 650);
($code, $headers) = c2_get();
is $code, 401, 'T+650, 650 s after the validation: the token was validated again, and its key is gone: 401';
like $headers->{'WWW-Authenticate'} // '', qr/error="invalid_token".*signed with an unknown key/,
	'... as signed with an unknown key';
@lines = bearer_lines();
ok !(grep { $_->{text} =~ /from the (?:process|shared) cache/ } @lines), '... no cache answered for it'
  or diag explain \@lines;
is line_at(qr/^bearer token refused \(key\)/, '... refused', $t1, 650, @lines)->{pid}, $b_pid, '... by B';

$c2->close;
httpd_stop($h);
redis_stop($redis);
reset_tenant();
done_testing();
