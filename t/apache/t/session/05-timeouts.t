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
my $b   = browser();
my $res = $b->visit("$time/echo");
is json_of($res)->{REMOTE_USER}, ALICE, 'signed in';
my ($cb) = grep { $_->request->uri->path eq '/callback' } $b->chain;
my $t0 = time;
my $max_age = cookie_attrs($cb, $NAME)->{'max-age'};
ok $max_age > 0 && $max_age <= 2, "the cookie expires with the inactivity timeout (Max-Age $max_age)";
my $cookie = $b->cookie($NAME);
is $b->get("$time/echo")->code, 200, 'an active session works';

wait_until(5, sub { time - $t0 > 2.6 });
$b->set_cookie($NAME, $cookie);    # a browser (or a thief) that kept the cookie anyway
my $mark = log_mark();
$res = $b->get("$time/echo");
is $res->code, 302, 'after 2 s of inactivity the session has ended';
like log_since($mark), qr/session ended: inactive/, '... for inactivity';
ok((grep {/^\Q$NAME\E=;.*Max-Age=0/} $res->header('Set-Cookie')), '... and its cookie is deleted');

# ---- absolute duration (4 s), even when active ---------------------------------------------------------
$b = browser();
$b->visit("$time/echo");
$t0 = time;
my ($last_ok, $first_refused);
while (time - $t0 < 7) {
	my $r = $b->get("$time/echo");
	my $elapsed = time - $t0;
	if ($r->code == 200) { $last_ok = $elapsed; }
	else { $first_refused = $elapsed; last; }
	wait_until(0.5, sub { time - $t0 > $elapsed + 0.4 });
}
ok defined $last_ok && $last_ok > 2.5, 'an active session outlives its inactivity timeout (renewed)';
ok defined $first_refused, 'but it ends';
cmp_ok $first_refused // 99, '<', 5.5, '... at Auth0SessionMaxDuration (4 s)';

# ---- rolling renewal: written back only when more than 2 s passed (10 % of 20 s) ---------------------------
$b = browser();
$b->visit("$roll/echo");
$t0 = time;
my @quiet;
while (time - $t0 < 1.5) {
	push @quiet, $b->get("$roll/index.html"); # a static page: no Cache-Control of its own (the echo CGI sends no-store)
}
ok @quiet >= 3, 'several requests within the threshold';
is scalar(grep { $_->header('Set-Cookie') } @quiet), 0, '... none rewrites the session';
is scalar(grep { ($_->header('Cache-Control') // '') =~ /no-store/ } @quiet), 0, '... nor forbids caching the page';
my $renewed = wait_until(6, sub {
	my $r = $b->get("$roll/index.html");
	return $r->header('Set-Cookie') ? $r : undef;
});
ok $renewed, 'a request past the threshold renews the session';
my $when = time - $t0;
cmp_ok $when, '>=', 1.9, "... not before the threshold (after $when s)";
my $attrs = cookie_attrs($renewed, '__Host-rolling');
ok $attrs && $attrs->{'max-age'} >= 19, '... with a fresh Max-Age of the inactivity timeout';
like join(', ', $renewed->header('Cache-Control')), qr/\bno-store\b/,
	'... and Cache-Control: no-store, so that no shared cache keeps the session cookie for others';
my $next = $b->get("$roll/index.html");
ok !$next->header('Set-Cookie'), 'the next request does not rewrite it again';
unlike $next->header('Cache-Control') // '', qr/no-store/, '... nor forbids caching';
is json_of($b->get("$roll/echo"))->{REMOTE_USER}, ALICE, 'and the session goes on';

done_testing();
