# A renewal of the access token shared by two concurrent requests of one session at two locations that name
# the user by different Auth0UserClaim rules (session.c refresh()): one request spends the refresh token, the
# other takes its result from the shared cache, and each names the user by its own location's rule, not by
# the rule of the location that renewed (the result carries that rule, so the other one names the user
# again).
#
# The two requests are made to meet without sleeps: the tenant holds refresh_token grants at a gate; the
# first request's renewal is seen held there (the tenant's gate count), the second request is seen reading
# the session (a GET of its key in redis, the Auth0Cache, before the first one wrote anything back: it must
# renew too, and finds the first one renewing or done), and only then does the gate open.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
use JSON::PP ();
use POSIX ();
use Test::More;
use Time::HiRes qw(time);

reset_tenant();
autologin('alice@example.com');
my $REFRESH = 'POST /oauth/token grant=refresh_token';
my $SHARED = qr/access token renewed by a concurrent request/;

# skipped only without redis-server (install-deps.sh installs it): a redis that does not start fails the test
plan skip_all => 'redis-server is not installed' unless -x '/usr/bin/redis-server';
my $redis = redis_start();

# The site names users by their address's local part, /swap/ by the domain and the local part.
my $port = free_port();
my ($h, $out) = httpd_start(app_site(port => $port, server => "Auth0Cache redis-auth:redis://127.0.0.1:$redis->{port}/0",
                                     vhost => <<'EOC'));
Auth0Scope "openid profile email offline_access"
Auth0UserClaim email ^([^@]+)@example\.com$
<Location /swap/>
    Auth0UserClaim email "^([^@]+)@(.+)$" "$2/$1"
</Location>
EOC
ok $h, 'an httpd with sessions in redis, refresh tokens and two Auth0UserClaim rules' or BAIL_OUT($out);
my $base = "https://127.0.0.1:$port";
my %NAME = ('/echo' => 'alice', '/swap/echo' => 'example.com/alice');

# GET $path with $b's cookies in a child process: its pid; the answer goes to a file (->{code}, ->{user}).
sub request_in_child {
	my ($b, $path, $file) = @_;
	my $pid = fork // die "fork: $!";
	if (!$pid) {
		my $res = eval { $b->get("$base$path") };
		my $env = $res && $res->code == 200 ? json_of($res) : {};
		open my $fh, '>', $file or POSIX::_exit(2);
		print $fh JSON::PP->new->encode({code => $res ? $res->code : 0, user => $env->{REMOTE_USER}});
		close $fh;
		POSIX::_exit(0);
	}
	return $pid;
}

sub result_of {
	my ($file) = @_;
	open my $fh, '<', $file or return {};
	local $/;
	my $r = eval { JSON::PP->new->decode(<$fh>) } // {};
	unlink $file;
	return $r;
}

sub shared_in_log { my @n = log_of($h) =~ /$SHARED/g; return scalar @n }

# A session signed in at /echo (its name by the site's rule), its token due; then $first renews it while
# $second (the other location) comes for the same session. Returns the results of ($first, $second).
sub meet {
	my ($first, $second) = @_;
	settings(access_token_lifetime => 2);    # renewed halfway: from 1 s after the login
	my $b = browser();
	my $res = $b->visit("$base/echo");
	is json_of($res)->{REMOTE_USER}, 'alice', 'signed in at /echo, named by the site\'s rule';
	is json_of($b->get("$base/swap/echo"))->{REMOTE_USER}, 'example.com/alice', '... and by its own at /swap/';
	# from the last request that may have been given a 2 s token (this one renews it when it came late)
	my $t0 = time;
	settings(access_token_lifetime => 3600);   # the renewed token: not due again during this test
	wait_until(3, sub { time - $t0 > 1.2 });   # the token is due
	my $before = counter($REFRESH);
	my $shared = shared_in_log();
	fault({method => 'POST', path => '/oauth/token', grant_type => 'refresh_token', gate => 'renewal', times => 0});
	my $dir = t_dir() . '/logs';
	my ($f1, $f2) = map {"$dir/renewal-$$-$_"} 1, 2;
	my $pid1 = request_in_child($b, $first, $f1);
	ok wait_until(15, sub { (gates()->{renewal}{held} // 0) == 1 }), "$first: its renewal held at the tenant";
	my $pid2;
	# the second request reads the session (redis GET of mod_auth0:s:<hash>; the shared result's key is
	# mod_auth0:s:r:<hash>) while the first still renews
	my @read = grep {/"GET" "mod_auth0:s:[0-9a-f]{64}"/}
	  redis_monitor($redis, qr/"GET" "mod_auth0:s:[0-9a-f]{64}"/, sub { $pid2 = request_in_child($b, $second, $f2) });
	is scalar(@read), 1, "$second: it reads the session meanwhile";
	is gates()->{renewal}{held}, 1, '... while the renewal is still held';
	open_gate('renewal');
	waitpid $_, 0 for $pid1, $pid2;
	clear_faults();
	my ($r1, $r2) = (result_of($f1), result_of($f2));
	is counter($REFRESH) - $before, 1, 'one renewal reached the tenant';
	is shared_in_log() - $shared, 1, 'the other request took its result (renewed by a concurrent request)';
	is $r1->{code}, 200, "$first (renewed): 200";
	is $r1->{user}, $NAME{$first}, "... REMOTE_USER by its own rule: $NAME{$first}";
	is $r2->{code}, 200, "$second (took the shared result): 200";
	is $r2->{user}, $NAME{$second}, "... REMOTE_USER by its own rule: $NAME{$second}";
	# the session as written back: each location still names by its own rule, without renewing again
	my $n = counter($REFRESH);
	is json_of($b->get("$base$_"))->{REMOTE_USER}, $NAME{$_}, "afterwards, $_: $NAME{$_}" for '/echo', '/swap/echo';
	is counter($REFRESH) - $n, 0, '... with the renewed token';
}

# The location that did not sign the session in renews: the shared result carries its rule (not the
# session's), which the login's location must not take for its own.
meet('/swap/echo', '/echo');
# And the other way round.
meet('/echo', '/swap/echo');

httpd_stop($h);
redis_stop($redis);
settings(access_token_lifetime => undef);
reset_tenant();
done_testing();
