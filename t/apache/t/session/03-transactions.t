# Login transactions: several tabs logging in at once, and the cap on pending logins per browser.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
use Test::More;

reset_tenant();
autologin('alice@example.com');
my $base = url('SESSION', '');

# ---- several tabs -----------------------------------------------------------------------------------
my $b = browser();
my %cb = map { $_ => $b->to_callback("$base/echo?tab=$_") } qw(a b c);
ok $cb{$_}, "tab $_ reached the tenant and came back" for qw(a b c);
is $b->count_cookies(qr/^__Host-auth0_txn_/), 3, 'each tab has its own transaction cookie';
for my $tab (qw(c a b)) {
	my $res = $b->get($cb{$tab});
	is $res->code, 302, "tab $tab completes its login";
	is $res->header('Location'), "$base/echo?tab=$tab", '... and returns to its own page';
}
is $b->count_cookies(qr/auth0_txn/), 0, 'no transaction is left';
is json_of($b->get("$base/echo"))->{REMOTE_USER}, ALICE, 'the browser is signed in';

# ---- the cap (Auth0MaxLoginTransactions, 5 by default) ------------------------------------------------
$b = browser();
my @starts;
for my $i (1 .. 7) {
	my $res = $b->get("$base/echo?n=$i");
	push @starts, $res;
	cmp_ok $b->count_cookies(qr/auth0_txn/), '<=', 5, "login $i: at most 5 pending logins";
}
is scalar(grep { $_->code == 302 } @starts), 7, 'every login starts (never a 503)';
is $b->count_cookies(qr/auth0_txn/), 5, 'the browser keeps the 5 newest';
my @cbs = map { $b->get($_->header('Location')) } @starts;    # the tenant answers each (autologin)
my $oldest = $b->get($cbs[0]->header('Location'));
is $oldest->code, 400, 'the oldest login was abandoned';
like $oldest->content, qr/Sign in again/, '... with a kind page';
my $second = $b->get($cbs[1]->header('Location'));
is $second->code, 400, 'so was the second';
my $newest = $b->get($cbs[6]->header('Location'));
is $newest->code, 302, 'the newest completes';
is $newest->header('Location'), "$base/echo?n=7", '... at its page';
my $third = $b->get($cbs[2]->header('Location'));
is $third->code, 302, 'the third, still pending, completes too';

# ---- their bytes: another site can start logins here, with URLs as long as it likes --------------------------
# (a browser sends every pending transaction cookie with every request to the site, and httpd answers 400,
# before any module, to a Cookie header over LimitRequestFieldSize: 8190 bytes by default)
sub txn_bytes {
	my ($b) = @_;
	my $n = 0;
	$b->jar->scan(sub { $n += length($_[1]) + 1 + length($_[2]) + 2 if $_[1] =~ /^__Host-auth0_txn_/ });
	return $n;
}
$b = browser();
my $long = 'x=' . ('a' x 2680);
for my $i (1 .. 6) {
	my $res = $b->get("$base/echo?n=$i&$long");
	is $res->code, 302, "a login from a URL of 2.7 KB ($i) starts";
	my ($set) = grep {/^__Host-auth0_txn_[0-9a-f]{16}=[^;]/} $res->header('Set-Cookie');
	my ($pair) = ($set // '') =~ /^([^;]*)/;
	cmp_ok length($pair) + 2, '<=', 2048, '... its cookie takes at most 2 KB';
	cmp_ok txn_bytes($b), '<=', 4096, '... and the pending ones at most 4 KB together';
}
cmp_ok $b->count_cookies(qr/auth0_txn/), '>=', 2, 'two of them at least are still pending';
# a login from a URL longer than 1 KB comes back to its path, without the query (which its cookie cannot keep)
$b = browser();
my $cb = $b->to_callback("$base/echo?$long");
my $res = $b->get($cb);
is $res->code, 302, 'a login from a URL longer than 1 KB completes';
is $res->header('Location'), "$base/echo", '... on the page without its query';
# a short one still keeps its query whole
$b = browser();
$res = $b->get($b->to_callback("$base/echo?keep=me"));
is $res->header('Location'), "$base/echo?keep=me", 'a short URL comes back whole';

# expired and damaged transaction cookies are cleaned up when a login starts
$b = browser();
$b->set_cookie('__Host-auth0_txn_0000000000000000', 'garbage');
$res = $b->get("$base/echo");
ok((grep {/^__Host-auth0_txn_0000000000000000=;.*Max-Age=0/} $res->header('Set-Cookie')),
	'a damaged transaction cookie is deleted');

done_testing();
