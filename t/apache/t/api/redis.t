# The validated-token cache in redis (Auth0Cache redis:...), shared by two
# httpd servers ("hosts") with the same Auth0SessionSecret: a token one
# validated is accepted by the other without verification; entries are
# sealed (nothing readable in redis, nothing forgeable); a server with
# another secret cannot use them and validates for itself.
use strict;
use warnings FATAL => 'all';

use Test::More;
use Digest::SHA qw(sha256_hex);
use FindBin;
use IO::Socket::INET;
use lib "$FindBin::Bin/../../lib";
use Auth0Test;
use Auth0Test::Api;

my $t = t_dir();

sub site {
	my ($port, $redis, $secret) = @_;
	return <<"EOC";
Listen 127.0.0.1:$port http
Auth0Cache redis:127.0.0.1:$redis
<VirtualHost 127.0.0.1:$port>
    ServerName 127.0.0.1
    ScriptAliasMatch ^/cgi/ "$t/t/api/cgi/echo.cgi"
    Auth0Domain "$ENV{AUTH0_TEST_DOMAIN}"
    Auth0CACertificateFile "$ENV{AUTH0_TEST_CA_FILE}"
    Auth0Audience https://api.example.com/
    Auth0SessionSecret $secret
    <Location /cgi/>
        AuthType Auth0Bearer
        Require valid-user
    </Location>
</VirtualHost>
EOC
}


# A redis command in RESP; the reply as a string (bulk), a list (multi-bulk) or a status line.
sub redis {
	my ($r, @args) = @_;
	my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $r->{port}, Timeout => 5) or die "redis: $!";
	binmode $s;
	print $s '*' . @args . "\r\n" . join('', map { '$' . length($_) . "\r\n$_\r\n" } @args);
	my $read_one;
	$read_one = sub {
		my $line = <$s> // die 'redis: no reply';
		$line =~ s/\r\n$//;
		my ($type, $rest) = (substr($line, 0, 1), substr($line, 1));
		return $rest if $type eq '+' || $type eq ':';
		die "redis: $rest" if $type eq '-';
		if ($type eq '$') {
			return undef if $rest < 0;
			read($s, my $data, $rest + 2);
			return substr($data, 0, $rest);
		}
		return [map { $read_one->() } 1 .. $rest] if $type eq '*';
		die "redis: unexpected reply $line";
	};
	my $reply = $read_one->();
	close $s;
	return $reply;
}

reset_tenant();
my $redis = eval { redis_start() };
plan skip_all => "redis-server is not available: $@" unless $redis;
my @servers;
# whatever happens below (a die included), the servers and redis this test started are stopped
END {
	httpd_stop($_) for grep { $_ } @servers;
	redis_stop($redis);
}

my $S1 = 'shared-bearer-secret-0123456789-abcdefghijk';
my ($pa, $pb, $pc) = (free_port(), free_port(), free_port());
my ($ha, $oa) = httpd_start(site($pa, $redis->{port}, $S1));
my ($hb, $ob) = httpd_start(site($pb, $redis->{port}, $S1));
my ($hc, $oc) = httpd_start(site($pc, $redis->{port}, 'another-bearer-secret-0123456789-abcdefghij'));
@servers = ($ha, $hb, $hc);
ok($ha && $hb && $hc, 'three servers on one redis') or diag join "\n", grep { defined } $oa, $ob, $oc;

my $ua = LWP::UserAgent->new(timeout => 30, keep_alive => 0);
$ua->env_proxy(0);
sub get { my ($port, $token) = @_; $ua->get("http://127.0.0.1:$port/cgi/x", Authorization => "Bearer $token") }

SKIP: {
	skip 'a server did not start', 15 unless $ha && $hb && $hc;
	my $token = m2m_token();
	is(get($pa, $token)->code, 200, 'server A accepts the token');
	like(log_of($ha), qr/bearer token [0-9a-f]{8}: validated/, 'A validated it');

	my $res = get($pb, $token);
	is($res->code, 200, 'server B accepts it');
	is(json_of($res)->{REMOTE_USER}, 'demo-m2m-client@clients', 'B: the user');
	like(log_of($hb), qr/bearer token [0-9a-f]{8}: from the shared cache/, 'B took it from redis');
	unlike(log_of($hb), qr/validated/, 'B did not validate it');

	my $keys = redis($redis, 'KEYS', '*');
	# mod_socache_redis names entries "<hint>:<hex of the id>"; ours are "b:<SHA-256 hex>"
	my @entries = grep { /:([0-9a-f]+)$/ && pack('H*', $1) =~ /^b:[0-9a-f]{64}$/ } @$keys;
	is(scalar @entries, 1, 'one bearer entry in redis');
	my $value = redis($redis, 'GET', $entries[0]) // '';
	ok(length $value > 100, 'it holds the outcome');
	unlike($value, qr/demo-m2m-client|client-credentials|read:messages/, 'sealed: no claim in clear');
	my $signature = (split /\./, $token)[2];
	unlike($entries[0] . $value, qr/\Q$signature\E/, 'neither key nor value reveals the token');

	$res = get($pc, $token);
	is($res->code, 200, 'server C (another secret) accepts the token');
	like(log_of($hc), qr/bearer token [0-9a-f]{8}: validated/, 'C could not open the entry and validated');

	# an entry planted in redis (without the secret) does not make a forged token valid
	tweak_next_token(bad_signature => 1);
	my $forged = m2m_token();
	# domain, audience, organization, leeway, Auth0UserClaim, algorithm, extra issuers, extra audiences,
	# Auth0PassClaims (bearer.c validation_context)
	my $context = join "\n", $ENV{AUTH0_TEST_DOMAIN}, 'https://api.example.com/', '', 60, 'sub', 'RS256', '', '', '';
	my $key_of = sub {
		my ($tok) = @_;
		my $hash = sha256_hex("bearer v3\n$context\n$tok");
		(my $key = $entries[0]) =~ s/:[0-9a-f]+$/':' . unpack('H*', "b:$hash")/e;
		return $key;
	};
	is($key_of->($token), $entries[0], 'the key of an entry is the hash of the context and the token');
	my $key = $key_of->($forged);
	my $claims = '{"sub":"admin"}';
	my $plain = 'A0B2 ' . (time + 3600) . ' ' . (time + 600) . ' 5 ' . length($claims) . " 0\nadmin$claims";
	redis($redis, 'SET', $key, $value);    # a genuine sealed value, moved to this key
	$res = get($pb, $forged);
	is($res->code, 401, 'a sealed entry moved to another key does not open: the forged token is refused');
	redis($redis, 'SET', $key, $plain);
	$res = get($pa, $forged);
	is($res->code, 401, 'a plain entry planted in redis is ignored: the forged token is refused');
}

done_testing();
