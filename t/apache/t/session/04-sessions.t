# Sessions: damaged or foreign cookies, the cookie and cache stores, large claims (hundreds of groups)
# in both, a new session id at every login.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
use Test::More;

reset_tenant();
autologin('alice@example.com');
my $base  = url('SESSION', '');
my $cache = url('SESSION_CACHE', '');
my $NAME  = '__Host-auth0_session';

sub signed_in {
	my ($site) = @_;
	my $b = browser();
	my $res = $b->visit("$site/echo");
	return ($b, $res);
}

# ---- damaged and foreign cookies ------------------------------------------------------------------------
my ($b, $res) = signed_in($base);
is json_of($res)->{REMOTE_USER}, ALICE, 'signed in (cookie store)';
my $good = $b->cookie($NAME);
like $good, qr/^[A-Za-z0-9_-]+$/, 'the cookie is one base64url value';
cmp_ok length $good, '<', 3000, '... of a modest size (' . length($good) . ' bytes)';
unlike $good, qr/alice|a11ce/i, '... that reveals nothing of the user';

my %bad = (
	tampered  => tamper($good),
	truncated => substr($good, 0, length($good) - 10),
	empty     => '',
	garbage   => 'not-a-session',
	'cache reference to nothing' => 's.' . ('A' x 43),
);
for my $what (sort keys %bad) {
	$b->set_cookie($NAME, $bad{$what});
	$res = $b->get("$base/echo");
	is $res->code, 302, "a $what session cookie means logging in again";
	like $res->header('Location'), qr{/authorize\?}, '... at the tenant';
	ok((grep {/^\Q$NAME\E=;.*Max-Age=0/} $res->header('Set-Cookie')), '... and the bad cookie is deleted')
	  if length $bad{$what};
	is $b->request(GET => "$base/api/echo")->code, 401, '... (401 for an API)';
}

# Each process keeps the sessions it opened (a memo keyed by the exact cookie value): a value that
# differs from a good one anywhere, its last bytes included (compared first), opens nothing, however
# often the good one was used before.
sub one_changed {
	my ($value, $at) = @_;
	$at += length $value if $at < 0;
	my $c = substr($value, $at, 1);
	substr($value, $at, 1) = $c eq 'A' ? 'B' : 'A';
	return $value;
}
# base64url's last character carries unused low bits unless the length is a multiple of 4: flipping its
# lowest bit changes only those, which a lenient decoder (APR's) ignores.
sub lowest_bit_changed {
	my ($value) = @_;
	my $alphabet = join '', 'A' .. 'Z', 'a' .. 'z', 0 .. 9, '-', '_';
	my $i = index $alphabet, substr($value, -1);
	substr($value, -1) = substr($alphabet, $i ^ 1, 1);
	return $value;
}
sub memo_variants {
	my ($value) = @_;
	my $n = length $value;
	return (
		'first byte changed'      => one_changed($value, 0),
		'a middle byte changed'   => one_changed($value, int($n / 2)),
		'a byte before the tail changed' => one_changed($value, -17),
		'a byte of the tail changed' => one_changed($value, -8),
		'last byte changed'       => one_changed($value, -1),
		'last byte\'s lowest bit changed' => lowest_bit_changed($value),
		'one byte short'          => substr($value, 0, $n - 1),
		'one byte more'           => $value . 'A',
	);
}
my ($mb) = signed_in($base);
my $memo_good = $mb->cookie($NAME);
is $mb->get("$base/echo")->code, 200, 'a session used again (and again)' for 1 .. 6;
my %variants = memo_variants($memo_good);
for my $what (sort keys %variants) {
	my $vb = browser();
	$vb->set_cookie($NAME, $variants{$what});
	is $vb->get("$base/echo")->code, 302, "after the good value was used: $what opens nothing";
}
is json_of($mb->get("$base/echo"))->{REMOTE_USER}, ALICE, '... and the good value still opens';

# a session sealed with another secret (the rotation test site's) under this site's cookie name
my ($rb) = signed_in(url('SESSION_ROT_OLD', ''));
$b->set_cookie($NAME, $rb->cookie('__Host-rotation'));
is $b->get("$base/echo")->code, 302, 'a session sealed with a foreign secret is refused';
# this site's session under another cookie name does not open either (the name is bound in)
my ($b2) = signed_in($base);
$b2->set_cookie('__Host-rotation', $b2->cookie($NAME));
is $b2->get(url('SESSION_ROT_OLD', '/echo'))->code, 302, 'a session moved to another cookie name is refused';

# ---- the cache store ------------------------------------------------------------------------------------
my ($cb, $cres) = signed_in($cache);
is json_of($cres)->{REMOTE_USER}, ALICE, 'signed in (cache store)';
my $ref = $cb->cookie($NAME);
like $ref, qr/^s\.[A-Za-z0-9_-]{43}$/, 'the cookie holds only a 256-bit id';
is json_of($cb->get("$cache/echo"))->{REMOTE_USER}, ALICE, 'the id opens the cached session';
$cb->set_cookie($NAME, 's.' . tamper(substr($ref, 2)));
is $cb->get("$cache/echo")->code, 302, 'another id opens nothing';
$cb->set_cookie($NAME, $ref);
is $cb->get("$cache/echo")->code, 200, 'the cached session used again' for 1 .. 6;
%variants = memo_variants(substr($ref, 2));
for my $what (grep { !/one byte/ } sort keys %variants) {
	my $vb = browser();
	$vb->set_cookie($NAME, 's.' . $variants{$what});
	is $vb->get("$cache/echo")->code, 302, "after the good id was used: an id with $what opens nothing";
}
is json_of($cb->get("$cache/echo"))->{REMOTE_USER}, ALICE, '... and the good id still opens';

# The cache keeps the identity block with the claim filter it was made for (a process that opens the
# session without having it in its memo then passes the claims without parsing them): the first request
# after a login is such an opening, and a location with another filter gets its own identity.
my ($fb, $fres) = (browser());
$fres = $fb->visit("$cache/echo");
my $env = json_of($fres);
is $env->{HTTP_X_AUTH0_EMAIL}, 'alice@example.com', 'cache store, the first request: the claims as headers';
ok $env->{AUTH0_CLAIM_name} && !exists $env->{AUTH0_CLAIM_iss}, '... and variables, filtered by default';
$env = json_of($fb->get("$cache/allclaims/echo"));
ok $env->{AUTH0_CLAIM_iss} && $env->{AUTH0_CLAIM_email}, '... Auth0IdentityClaimFilter none passes iss there';
$env = json_of($fb->get("$cache/someclaims/echo"));
ok !exists $env->{AUTH0_CLAIM_email} && $env->{AUTH0_CLAIM_iss}, '... Auth0IdentityClaimFilter email nickname';
$env = json_of($fb->get("$cache/echo"));
ok $env->{AUTH0_CLAIM_email} && !exists $env->{AUTH0_CLAIM_iss}, '... and back at the default filter';
my $ab = browser();
$env = json_of($ab->visit("$cache/allclaims/echo"));
ok $env->{AUTH0_CLAIM_iss} && $env->{AUTH0_CLAIM_email},
  'a login whose first request is at a location with another filter: that filter\'s identity';

# A new id at every login (no fixation), and the previous one forgotten: a browser that has a session
# id (planted, or still valid) logs in.
sub login_again {
	my ($br, $site) = @_;
	my %keep = map { $_ => $br->cookie($_) } $br->cookie_names(qr/^\Q$NAME\E/);
	$br->remove_cookie($_) for keys %keep;
	my $url = $br->to_callback("$site/echo");
	$br->set_cookie($_, $keep{$_}) for keys %keep;
	return $br->visit($url);
}
$res = login_again($cb, $cache);
is $res->code, 200, 'logging in again in the same browser';
my $ref2 = $cb->cookie($NAME);
like $ref2, qr/^s\./, '... gives a cache session';
isnt $ref2, $ref, '... with a new id';
my $old = browser();
$old->set_cookie($NAME, $ref);
is $old->get("$cache/echo")->code, 302, 'the previous id no longer opens a session';

# the cookie store gets a new session at every login too
my $c1 = $b2->cookie($NAME);
login_again($b2, $base);
isnt $b2->cookie($NAME), $c1, 'the cookie store session is replaced at a new login';

# ---- large claims: hundreds of groups --------------------------------------------------------------------
my @groups = many_groups(300);
for my $site ([cookie => $base], [cache => $cache]) {
	my ($store, $url) = @$site;
	tweak_tokens({which => 'id', claims => {'https://example.com/groups' => \@groups}});
	my $mark = log_mark();
	my ($lb, $lres) = signed_in($url);
	is $lres->code, 200, "300 groups: signed in ($store store)";
	my $env = json_of($lres);
	is $env->{REMOTE_USER}, ALICE, '... as alice';
	my @got = split /,/, $env->{'HTTP_X_AUTH0_EXAMPLE_COM_GROUPS'} // '';
	is scalar(@got), 300, '... and the backend gets the 300 groups';
	is $got[299], $groups[299], '... all of them';
	is json_of($lb->get("$url/echo"))->{REMOTE_USER}, ALICE, '... on the next request too';
	my @chunks = $lb->cookie_names(qr/^\Q$NAME\E(\.\d+)?$/);
	if ($store eq 'cookie') {
		cmp_ok scalar(@chunks), '>', 1, '... split over ' . scalar(@chunks) . ' cookies';
		is_deeply [sort @chunks], [sort map {"$NAME.$_"} 0 .. $#chunks], '... named NAME.0, NAME.1, ...';
		# a smaller session later replaces every chunk
		diag 'cookie store with 300 groups: ' . scalar(@chunks) . ' cookies, '
		  . length(join '', map { $lb->cookie($_) } @chunks) . ' bytes';
		my $res = login_again($lb, $url);
		is $res->code, 200, '... logging in again with fewer claims';
		is_deeply [$lb->cookie_names(qr/^\Q$NAME\E/)], [$NAME], '... leaves one cookie and no stale chunk';
	}
	else {
		like $lb->cookie($NAME) // '', qr/^s\./, '... kept in the cache' if log_since($mark) !~ /refused a session/;
		like $lb->cookie($NAME) // '', qr/^[A-Za-z0-9_-]+$/, '... or in the cookie store when the cache refuses it'
		  if log_since($mark) =~ /refused a session/;
	}
}

done_testing();
