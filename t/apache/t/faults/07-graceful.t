# Fault matrix: graceful restarts (apache2 -k graceful with the server's own configuration and pid file)
# of an httpd of its own (two children) while worker processes send session, bearer and public requests,
# each on a new connection (a keep-alive connection that the old generation closes is the client's to
# retry, as HTTP allows; it is not a failure of the server).
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
use Auth0Test::Api;
use Auth0Test::Faults;
use Test::More;

reset_tenant();
autologin('alice@example.com');
my ($pc, $pk) = (free_port(), free_port());
my $h = own_httpd(ports => {$pc => 'cache', $pk => 'cookie'}, servers => 2);
my $CACHE  = "https://127.0.0.1:$pc";
my $COOKIE = "https://127.0.0.1:$pk";

sub children {
	my ($pid) = @_;
	my @kids;
	for my $stat (glob '/proc/[0-9]*/stat') {
		open my $fh, '<', $stat or next;
		my $line = <$fh> // next;
		push @kids, $1 if $line =~ /^(\d+) \(.*\) \S+ (\d+)/ && $2 == $pid;
	}
	return sort { $a <=> $b } @kids;
}

my $c = signed_in("$CACHE/echo");
my $k = signed_in("$COOKIE/echo");
my $cache_cookie  = '__Host-cache=' . $c->cookie('__Host-cache');
my $cookie_cookie = join '; ', map { "$_=" . $k->cookie($_) } $k->cookie_names(qr/^__Host-cookie/);
my $token = m2m_token();
# a login started before the restarts, completed after them
my $pending = browser();
my $pending_cb = $pending->to_callback("$COOKIE/echo?pending=1");

matrix_case('graceful.load', sub {
	my @before = children($h->{pid});
	my $l = load_start(workers => 4, kinds => [
		['cookie-session', sub { $_[0]->get("$COOKIE/index.html", Cookie => $cookie_cookie) }],
		['cache-session', sub { $_[0]->get("$CACHE/index.html", Cookie => $cache_cookie) }],
		['bearer', sub { $_[0]->get("$COOKIE/bearer/index.html", Authorization => "Bearer $token") }],
		['public', sub { $_[0]->get("$CACHE/public/index.html") }],
	]);
	my $at = sub { my $n = shift; wait_until(60, sub { (load_progress($l))[1] >= $n }) };
	ok $at->(40), 'load is running';
	ok graceful($h), 'graceful restart 1';
	my $n1 = (load_progress($l))[1];
	ok $at->($n1 + 60), '... requests go on';
	ok graceful($h), 'graceful restart 2';
	my $n2 = (load_progress($l))[1];
	ok $at->($n2 + 60), '... requests go on';
	my ($seen, $total) = load_stop($l);
	my @after = children($h->{pid});
	ok !(grep { my $p = $_; grep { $_ == $p } @after } @before), 'every child was replaced';
	my %bad;
	for my $kind (keys %$seen) {
		$bad{"$kind $_"} = $seen->{$kind}{$_} for grep { $_ ne '200' } keys %{$seen->{$kind}};
	}
	my $ended = delete $bad{'cache-session 302'} // 0;
	is_deeply \%bad, {}, "$total requests: all 200 (no 5xx, no connection error)"
	  . " but for the documented end of the shmcb cache-store session ($ended x 302)";
	cmp_ok $seen->{'cache-session'}{200} // 0, '>', 0, '... which answered 200 before the first restart';
	observe("$total requests over 2 restarts: " . join(', ', map { "$_ x $seen->{$_}{200}" } sort grep { $seen->{$_}{200} } keys %$seen)
		. " answered 200; shmcb cache-store session: $ended x 302 after the restart"
		. (%bad ? '; unexpected: ' . join(', ', map { "$_ x $bad{$_}" } sort keys %bad) : ''));
});

matrix_case('graceful.cookie-session', sub {
	my $res = $k->get("$COOKIE/echo");
	is user_of($res), ALICE, 'the cookie-store session survived';
	observe($res->code);
});

matrix_case('graceful.cache-session-shmcb', sub {
	my $res = $c->get("$CACHE/echo");
	is $res->code, 302, 'the shmcb cache-store session ended: 302';
	like $res->header('Location') // '', qr{/authorize\?}, '... to the login';
	ok scalar(grep { /^__Host-cache=;.*Max-Age=0/ } $res->header('Set-Cookie')), '... its cookie removed';
	is user_of($c->visit("$CACHE/echo")), ALICE, '... and signing in again works';
	observe($res->code . ' to the login');
});

matrix_case('graceful.cache-session-redis', sub {
	my $redis = redis_persistent();
	plan skip_all => 'redis-server is not installed' unless $redis;
	my $port = free_port();
	my $hr = own_httpd(ports => {$port => 'cache'}, cache => "redis:127.0.0.1:$redis->{port}");
	my $b = signed_in("https://127.0.0.1:$port/echo");
	ok graceful($hr), 'graceful restart';
	my $res = $b->get("https://127.0.0.1:$port/echo");
	is user_of($res), ALICE, 'the cache-store session in redis survived';
	httpd_stop($hr);
	redis_down($redis);
	observe($res->code);
});

matrix_case('graceful.login', sub {
	my $res = $pending->get($pending_cb);
	is $res->code, 302, 'a login started before the restarts completes after them';
	is $res->header('Location'), "$COOKIE/echo?pending=1", '... to the original URL';
	is user_of($pending->get("$COOKIE/echo?pending=1")), ALICE, '... signed in';
	observe('callback ' . $res->code);
});

httpd_stop($h);
done_testing();
