# Fault matrix: the shared cache (Auth0Cache redis:...) is stopped and started again under an httpd of
# its own with two sites: sessions in the cache store (CACHE) and in the cookie store (COOKIE), both
# with a bearer API. redis keeps its data on disk (it saves when stopped and loads it when started), as a
# production redis does; the last case restarts it empty.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
use Auth0Test::Api;
use Auth0Test::Faults;
use Test::More;
use URI;
use URI::Escape qw(uri_escape);

reset_tenant();
autologin('alice@example.com');

my $redis = redis_persistent();
plan skip_all => 'redis-server is not installed' unless $redis;
my ($pc, $pk) = (free_port(), free_port());
my $h = own_httpd(ports => {$pc => 'cache', $pk => 'cookie'}, cache => "redis:127.0.0.1:$redis->{port}");
my $CACHE  = "https://127.0.0.1:$pc";
my $COOKIE = "https://127.0.0.1:$pk";

sub error_log { open my $fh, '<', "$h->{dir}/error_log" or return ''; local $/; <$fh> }
sub deleted { my ($res, $name) = @_; scalar grep { /^__Host-\Q$name\E=;.*Max-Age=0/ } $res->header('Set-Cookie') }

# ---- before the outage -----------------------------------------------------------------------------------
my $c = signed_in("$CACHE/echo");
like $c->cookie('__Host-cache') // '', qr/^s\./, 'a session in the cache store (the cookie holds its id)';
my $k = signed_in("$COOKIE/echo");
unlike $k->cookie('__Host-cookie') // 's.', qr/^s\./, 'a session in the cookie store';
# another, for the back-channel logouts, with its cookie kept to present it again
my $bk = signed_in("$COOKIE/echo");
my $bk_sid = json_of($bk->get("$COOKIE/echo"))->{AUTH0_CLAIM_sid};
ok $bk_sid, 'a second cookie-store session, with its sid';
my $bk_cookie = $bk->cookie('__Host-cookie');
sub backchannel {
	my $token = control(POST => '/__control/logout-token',
		{client_id => 'demo-web-client', sub => ALICE, sid => $bk_sid})->{logout_token};
	return browser()->request(POST => "$COOKIE/backchannel", content => 'logout_token=' . uri_escape($token));
}
sub bk_code {
	$bk->set_cookie('__Host-cookie', $bk_cookie);
	return $bk->get("$COOKIE/echo", Accept => 'application/json')->code;
}
my $seen = m2m_token();
is bearer_https($COOKIE, '/bearer/index.html', $seen)->code, 200, 'a bearer token validated';
# a login that completed before the outage: its state is recorded as used
my $r = browser();
my $r_cb = $r->to_callback("$CACHE/echo?before=1");
my ($r_txn) = $r->cookie_names(qr/auth0_txn/);
my $r_txn_value = $r->cookie($r_txn);
is $r->get($r_cb)->code, 302, 'a login completed before the outage';
# logins that will reach their callbacks during it
my $l  = browser();
my $l_cb = $l->to_callback("$CACHE/echo?during=1");
my $lk = browser();
my $lk_cb = $lk->to_callback("$COOKIE/echo?during=1");

redis_down($redis);

# ---- redis down ----------------------------------------------------------------------------------------------
matrix_case('redis.down-cache-session', sub {
	# several requests: once apr_redis has marked its server down, it answers "not found" for every key
	my @res = map { $c->get("$CACHE/echo") } 1 .. 4;
	is_deeply [map { $_->code } @res], [(503) x 4], 'a cache-store session while redis is down: 503, every time';
	page_like $res[0], qr/cannot check your session/, '... with a page that says so';
	ok !(grep { deleted($_, 'cache') } @res), '... and the session cookie is kept';
	like $c->cookie('__Host-cache') // '', qr/^s\./, '... (still in the browser)';
	observe(join(' ', map { $_->code } @res) . ', cookie kept');
});

matrix_case('redis.down-cookie-session', sub {
	my @codes = map { user_of($k->get("$COOKIE/echo")) } 1 .. 3;
	is_deeply \@codes, [(ALICE) x 3], 'a cookie-store session is served (200, same user)';
	observe('200 x 3');
});

matrix_case('redis.down-callback', sub {
	my $res = $l->get($l_cb);
	is $res->code, 503, 'a callback (cache-store site): 503, the state cannot be recorded';
	page_like $res, qr/cannot complete sign-ins right now/, '... with a page';
	ok !$l->cookie('__Host-cache'), '... and no session';
	my $resk = $lk->get($lk_cb);
	is $resk->code, 503, 'a callback on the cookie-store site: 503 too (fail closed)';
	ok !$lk->cookie('__Host-cookie'), '... and no session';
	like error_log(), qr/cannot record the login state; login refused \(fail closed\)/, '... logged';
	observe('cache site ' . $res->code . ', cookie site ' . $resk->code);
});

matrix_case('redis.down-bearer', sub {
	my %codes;
	$codes{bearer_https($COOKIE, '/bearer/index.html', $seen)->code}++ for 1 .. 3;
	$codes{bearer_https($CACHE, '/bearer/index.html', m2m_token())->code}++ for 1 .. 3;
	is_deeply \%codes, {200 => 6}, 'bearer tokens, seen before or new: 200';
	like error_log(), qr/could not store \d+ bytes in the redis cache/, '... the cache write failures are logged';
	observe('200 x 6');
});

matrix_case('redis.down-backchannel', sub {
	my $res = backchannel();
	is $res->code, 503, 'a back-channel logout while redis is down: 503';
	like $res->content, qr/"error":"temporarily_unavailable"/, '... temporarily_unavailable (the tenant may retry)';
	my @codes = map { bk_code() } 1 .. 3;
	is_deeply \@codes, [(200) x 3], 'the cookie-store session it was about is still served (nothing recorded)';
	observe($res->code . ', session ' . join(' ', @codes));
});

redis_up($redis, keep => 1);

# ---- redis back, with its data ---------------------------------------------------------------------------------
# apr_redis retries a server it found down after a few seconds (per process): until then, 503.
matrix_case('redis.up-cache-session', sub {
	# each child finds out by itself: until four requests in a row are served, a child may still answer 503
	my ($res, @codes, $deleted);
	my $streak = 0;
	my $back = wait_until(30, sub {
		$res = $c->get("$CACHE/echo");
		push @codes, $res->code;
		$deleted++ if deleted($res, 'cache');
		$streak = $res->code == 200 ? $streak + 1 : 0;
		return $streak >= 4 || $res->code !~ /^(?:200|503)$/;
	});
	ok $back && $streak >= 4, 'the cache-store session comes back (four requests in a row served)';
	is user_of($res), ALICE, '... the same user, without a new login';
	is_deeply [grep { !/^(?:200|503)$/ } @codes], [], '... answering only 503 until then';
	ok !$deleted, '... and never removing the session cookie';
	is user_of($k->get("$COOKIE/echo")), ALICE, 'the cookie-store session goes on';
	observe(sprintf '%d x 503, then 200', scalar(grep { $_ == 503 } @codes));
});

matrix_case('redis.up-login', sub {
	my $res;
	wait_until(30, sub { $res = browser()->visit("$CACHE/echo?after=1"); $res->code != 503 });
	is user_of($res), ALICE, 'a new login completes';
	my $thief = browser();
	# the stolen cookie is presented on each try: a 503 (a child whose redis connection is not back yet
	# cannot record the state, and refuses: fail closed) expires it, and a replay without it would only
	# show that the cookie is gone, not that the used state survived
	wait_until(30, sub {
		$thief->set_cookie($r_txn, $r_txn_value);
		$res = $thief->get($r_cb);
		$res->code != 503;
	});
	is $res->code, 400, 'the callback of a login completed before the outage, replayed: 400';
	like error_log(), qr/the state was used before \(replay\)/, '... refused as a replay (the used state survived)';
	ok !$thief->cookie('__Host-cache'), '... without a session';
	observe('login 200, replay ' . $res->code);
});

matrix_case('redis.up-backchannel', sub {
	my $res;
	my $before = length error_log();
	wait_until(30, sub { $res = backchannel(); $res->code != 503 });
	is $res->code, 200, 'a back-channel logout once redis answers: 200';
	# A child whose apr_redis still considers the server down (for a few seconds after the outage) reads
	# "not found" for every key: it cannot tell the logout's marker from none. It serves the session (a
	# cache outage refuses no cookie-store session), says so in the log, and compares again 10 s later;
	# every other child refuses it at once.
	my ($streak, @codes) = (0);
	my $over = wait_until(30, sub {
		my $code = bk_code();
		push @codes, $code;
		$streak = $code == 401 ? $streak + 1 : 0;
		return $streak >= 4 || $code !~ /^(?:200|401)$/;
	});
	ok $over && $streak >= 4, '... the session is over in every request presenting it (four in a row refused)';
	is_deeply [grep { !/^(?:200|401)$/ } @codes], [], '... answering 401, or 200 meanwhile';
	my $served = grep { $_ == 200 } @codes;
	my $told = substr(error_log(), $before) =~ /cannot read back-channel logouts from the cache/;
	ok !$served || $told, "... served meanwhile ($served times) only where the cache could not tell, which is logged";
	is user_of($k->get("$COOKIE/echo")), ALICE, 'the other cookie-store session goes on';
	observe($res->code . ", then $served x 200, 401 x 4");
});

redis_down($redis);
redis_up($redis, keep => 0);

matrix_case('redis.up-empty', sub {
	my $res;
	wait_until(30, sub { $res = $c->get("$CACHE/echo"); $res->code != 503 });
	is $res->code, 302, 'a cache-store session whose entry is gone: 302 to the login';
	like $res->header('Location') // '', qr{/authorize\?}, '... at the tenant';
	ok deleted($res, 'cache'), '... and its cookie is removed';
	is user_of($k->get("$COOKIE/echo")), ALICE, 'the cookie-store session is unaffected';
	my $again;
	wait_until(30, sub { $again = $c->visit("$CACHE/echo"); $again->code != 503 });
	is user_of($again), ALICE, 'signing in again works';
	observe($res->code . ' to the login, then ' . $again->code);
});

httpd_stop($h);
redis_down($redis);
done_testing();
