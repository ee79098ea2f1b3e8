# Session times: inactivity, absolute duration, and the rolling renewal written back only past its
# threshold. (Real time passes here: that is the behaviour under test; the waits are bounded.)
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
use Test::More;
use Time::HiRes qw(time);

reset_tenant();
autologin('alice@example.com');
my $time = url('SESSION_TIME', '');
my $roll = url('SESSION_ROLL', '');
my $NAME = '__Host-short';

# ---- inactivity (2 s) -----------------------------------------------------------------------------------
# The module keeps session times in whole seconds of the requests (server_second: httpd's Date). Here every
# request of a later second than a session's last write writes it back (10 % of 2 s is 0 s), so the session
# was last active in the second of its last request and ends at the first request 2 s of the clock later, or
# 4 s after its login. So the request after the visit must come within a second of the clock of it, and the
# one after the wait before the 4 s are up (else Auth0SessionMaxDuration ends it): a machine slow enough
# that they did not makes the try inconclusive, and it is made again.
my ($b, $res, $cb, $active, $ended, $mark);
for my $try (1 .. 3) {
	$b   = browser();
	$res = $b->visit("$time/echo");
	$cb = $b->callback;
	my $cookie = $b->cookie($NAME);
	my $last   = server_second($res);
	$active = $b->get("$time/echo");
	wait_until(3, sub { time >= $last + 2 });
	$b->set_cookie($NAME, $cookie);    # a browser (or a thief) that kept the cookie anyway
	$mark  = log_mark();
	$ended = $b->get("$time/echo");
	last if server_second($active) <= $last + 1 && server_second($ended) < server_second($cb) + 4;
}
is json_of($res)->{REMOTE_USER}, ALICE, 'signed in';
my $max_age = cookie_attrs($cb, $NAME)->{'max-age'};
ok $max_age > 0 && $max_age <= 2, "the cookie expires with the inactivity timeout (Max-Age $max_age)";
is $active->code, 200, 'an active session works';
is $ended->code, 302, 'after 2 s of inactivity the session has ended';
like log_since($mark), qr/session ended: inactive/, '... for inactivity';
ok((grep {/^\Q$NAME\E=;.*Max-Age=0/} $ended->header('Set-Cookie')), '... and its cookie is deleted');

# ---- absolute duration (4 s), even when active ---------------------------------------------------------
# Requests 0.3 s apart keep the session active (the first one of each second writes it back); it ends at
# the first request of the 4th second of the clock after its login's, and those of the two seconds before
# show that it outlived its inactivity timeout. When the machine was so slow that two requests came 2 s of
# the clock apart, the inactivity timeout may rightly have ended it: that try is inconclusive, made again.
my ($created, @got);    # the login's second; [second, status] of each request after the visit
for my $try (1 .. 3) {
	$b   = browser();
	$res = $b->visit("$time/echo");
	$cb = $b->callback;
	$created = server_second($cb);
	@got  = ();
	$mark = log_mark();
	my $t0 = time;
	while (time - $t0 < 7) {
		my $start = time;
		my $r = $b->get("$time/echo");
		push @got, [server_second($r), $r->code];
		last if $r->code != 200;
		wait_until(0.3, sub { time - $start >= 0.3 });
	}
	my @seconds = ($created, server_second($res), map { $_->[0] } @got);
	last unless grep { $seconds[$_] - $seconds[$_ - 1] > 1 } 1 .. $#seconds;
}
my @served = map { $_->[0] } grep { $_->[1] == 200 } @got;
my ($refused) = grep { $_->[1] != 200 } @got;
ok @served && $served[-1] >= $created + 2, 'an active session outlives its inactivity timeout (renewed)';
ok $refused, 'but it ends';
is $refused && $refused->[0] - $created, 4, '... at Auth0SessionMaxDuration (4 s)';
like log_since($mark), qr/session ended: Auth0SessionMaxDuration reached/, '... which the log says';

# ---- rolling renewal: written back only when more than 2 s passed (10 % of 20 s) ---------------------------
# In whole seconds: a session written in second W is written back by the first request of second W + 3. The
# requests of the 1.5 s after the login fall within W + 2 when the login starts just after a second turns;
# a machine slow enough that one did not (it rightly writes the session back), or that made fewer than
# three, makes the try inconclusive, and it is made again.
my ($login, @quiet);
for my $try (1 .. 3) {
	second_start();
	$b   = browser();
	$res = $b->visit("$roll/echo");
	$cb = $b->callback;
	$login = server_second($cb);
	@quiet = ();
	my $t0 = time;
	while (time - $t0 < 1.5) {
		push @quiet, $b->get("$roll/index.html"); # a static page: no Cache-Control of its own (the echo CGI sends no-store)
	}
	last if @quiet >= 3 && !grep { server_second($_) > $login + 2 } $res, @quiet;
}
ok @quiet >= 3, 'several requests within the threshold';
is scalar(grep { $_->header('Set-Cookie') } @quiet), 0, '... none rewrites the session';
is scalar(grep { ($_->header('Cache-Control') // '') =~ /no-store/ } @quiet), 0, '... nor forbids caching the page';
my $renewed = wait_until(6, sub {
	my $r = $b->get("$roll/index.html");
	return $r->header('Set-Cookie') ? $r : undef;
});
ok $renewed, 'a request past the threshold renews the session';
my $when = $renewed ? server_second($renewed) - $login : 0;
cmp_ok $when, '>=', 3, "... not before the threshold ($when s of the clock after the login)";
my $attrs = cookie_attrs($renewed, '__Host-rolling');
ok $attrs && $attrs->{'max-age'} >= 19, '... with a fresh Max-Age of the inactivity timeout';
like join(', ', $renewed->header('Cache-Control')), qr/\bno-store\b/,
	'... and Cache-Control: no-store, so that no shared cache keeps the session cookie for others';
my $next = $b->get("$roll/index.html");
ok !$next->header('Set-Cookie'), 'the next request does not rewrite it again';
unlike $next->header('Cache-Control') // '', qr/no-store/, '... nor forbids caching';
is json_of($b->get("$roll/echo"))->{REMOTE_USER}, ALICE, 'and the session goes on';

done_testing();
