# Attack matrix: cookie tampering. A signed-in browser's session cookie (sealed with AES-256-GCM, bound
# to its name) altered in every way an attacker can: one bit flipped at every byte, truncated at many
# lengths, base64 junk, chunks of a large session swapped with another user's, dropped, reordered or
# added; an expired cookie and a logged-out one replayed; a cookie sealed with another site's secret; a
# login transaction cookie offered as a session and the other way round; cache-store session ids that
# were guessed, altered or removed.
#
# A case passes when the request is treated as signed out (401 for an API request; the bad cookie is
# deleted) and never as any user, with no 5xx; controls (the untouched cookies) must still work.
# Existing single cases: t/session/04-sessions.t (one tamper, truncation, garbage, foreign secret and
# name), t/session/02-callback.t (tampered transaction cookie).
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
use Auth0Test::Attacks;
use Auth0Test::Matrix;
use JSON::PP ();
use MIME::Base64 qw(encode_base64url decode_base64url);
use Test::More;
use Time::HiRes qw(time);

reset_tenant();
autologin('alice@example.com');
my $m = Auth0Test::Matrix->new('attacks');
my $JSON = JSON::PP->new;
my $NAME = '__Host-atk';

# GET a CGI page as an API call with this Cookie header: (status, REMOTE_USER, response)
sub probe {
	my ($site, $cookie, $path) = @_;
	my $res = raw_request(port => $site, target => $path // '/cgi/probe',
		headers => [Accept => 'application/json', length $cookie ? (Cookie => $cookie) : ()]);
	my $user;
	$user = eval { $JSON->decode($res->{body})->{ENV}{REMOTE_USER} } if $res->{status} == 200;
	return ($res->{status}, $user, $res);
}

sub deleted { my ($res, $name) = @_; return scalar grep {/^\Q$name\E=;.*Max-Age=0/} set_cookies($res) }

# A refused cookie: 401 (never a user, never 5xx).
sub refused_case {
	my ($group, $case, $site, $cookie, %o) = @_;
	my ($st, $user, $res) = probe($site, $cookie, $o{path});
	my $pass = $st == 401 && !$user;
	my $obs = "$st" . ($user ? " as $user" : '');
	if ($pass && $o{deleted}) {
		$pass = deleted($res, $o{deleted});
		$obs .= $pass ? ', cookie deleted' : ', cookie NOT deleted';
	}
	$m->case(group => $group, case => $case, target => $o{target} // 'GET /cgi/probe (API request)',
		expected => '401, signed out', observed => $obs, pass => $pass);
}

sub accepted_case {
	my ($group, $case, $site, $cookie, $who, %o) = @_;
	my ($st, $user) = probe($site, $cookie, $o{path});
	$m->case(group => $group, case => $case, target => $o{target} // 'GET /cgi/probe', expected => "200 as $who",
		observed => "$st" . ($user ? " as $user" : ''), pass => $st == 200 && ($user // '') eq $who);
}

# ---- one cookie: bit flips, truncation, junk -------------------------------------------------------------------
my $jar = login('ATTACK') or BAIL_OUT('cannot sign in');
my $good = $jar->{$NAME};
my $raw = decode_base64url($good);
my $G = 'cookie tampering: bit flips';
$m->group($G, about => 'one bit flipped in every byte of a sealed session cookie (version, key id, nonce, ciphertext, tag)',
	expected => '401: the AEAD tag fails; the cookie is deleted');
accepted_case($G, 'control: the untouched cookie', 'ATTACK', "$NAME=$good", ALICE);
for my $i (0 .. length($raw) - 1) {
	my $b = $raw;
	substr($b, $i, 1) = chr(ord(substr($b, $i, 1)) ^ (1 << ($i % 8)));
	my $what = $i == 0 ? 'version' : $i == 1 ? 'key id' : $i < 14 ? 'nonce' : $i >= length($raw) - 16 ? 'tag' : 'ciphertext';
	refused_case($G, sprintf('byte %d (%s), bit %d', $i, $what, $i % 8), 'ATTACK', "$NAME=" . encode_base64url($b),
		deleted => $NAME);
}

$G = 'cookie tampering: truncation and extension';
$m->group($G, about => 'the cookie cut at many lengths, from either end, or extended',
	expected => '401');
my %lens;
$lens{$_} = 1 for 1, 2, 3, 4, 5, 8, 13, 16, 21, 22, 24, 32, 40, 64, map { length($good) - $_ } 1 .. 4, 16, 22, 23;
$lens{int(length($good) * $_ / 10)} = 1 for 1 .. 9;
for my $n (sort { $a <=> $b } keys %lens) {
	next if $n <= 0 || $n >= length $good;
	refused_case($G, "first $n characters", 'ATTACK', "$NAME=" . substr($good, 0, $n));
	refused_case($G, "without the first $n characters", 'ATTACK', "$NAME=" . substr($good, $n));
}
refused_case($G, 'one character appended', 'ATTACK', "$NAME=${good}A");
refused_case($G, 'the tag repeated', 'ATTACK', "$NAME=" . encode_base64url($raw . substr($raw, -16)));
refused_case($G, 'twice over', 'ATTACK', "$NAME=$good$good");

$G = 'cookie tampering: base64 junk';
$m->group($G, about => 'values that are not base64url, or base64url of the wrong thing',
	expected => '401 (junk is never decoded into a session)');
my %junk = (
	'empty' => '', 'one character' => 'A', 'standard base64 (+ and /)' => do { (my $s = $good) =~ tr/-_/+\//; $s },
	'padding added' => "$good==", 'a percent-encoded value' => join('', map { sprintf '%%%02X', ord } split //, substr($good, 0, 60)),
	'spaces' => substr($good, 0, 20) . ' ' . substr($good, 20), 'dot inside' => substr($good, 0, 30) . '.' . substr($good, 31),
	'NUL escape' => '%00' . $good, 'UTF-8 bytes' => "\xc3\xa9" . $good, 'zero bytes of the right length' => encode_base64url("\0" x length $raw),
	'version 1, right key id, random rest' => encode_base64url(substr($raw, 0, 2) . join('', map { chr int rand 256 } 1 .. length($raw) - 2)),
	'version 2' => encode_base64url("\x02" . substr($raw, 1)), 'version 0' => encode_base64url("\x00" . substr($raw, 1)),
	'header only (no ciphertext)' => encode_base64url(substr($raw, 0, 30)), '64 KiB of A' => 'A' x 60000,
	'a JWT' => 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJhdXRoMHxldmlsIn0.', 'a JSON session' => '{"user":"auth0|evil","csrf":"x"}',
	'cache reference to nothing' => 's.' . ('A' x 43), 'cache reference, malformed' => 's.../../etc/passwd',
	'cache reference, empty' => 's.', 'cache reference, too long' => 's.' . ('A' x 44),
);
refused_case($G, $_, 'ATTACK', "$NAME=$junk{$_}") for sort keys %junk;
accepted_case($G, 'control: the cookie in double quotes (RFC 6265 allows them)', 'ATTACK', qq{$NAME="$good"}, ALICE);
refused_case($G, 'half-quoted', 'ATTACK', qq{$NAME="$good});

# ---- chunked sessions: two users, each in several cookies ------------------------------------------------------
# UUID-like group names that do not compress: the session needs several cookies
my @groups = map { sprintf 'grp-%08x-%04x-4%03x-%04x-%012x', $_ * 2654435761 % 2**32, $_ * 40503 % 65536,
	$_ % 4096, 0x8000 + $_ % 16384, $_ * 11400714819 % 2**48 } 1 .. 500;
tweak_tokens({which => 'id', claims => {'https://example.com/groups' => \@groups}});
my $ja = login('ATTACK') or BAIL_OUT('cannot sign in alice with a large session');
autologin('bob@example.com');
tweak_tokens({which => 'id', claims => {'https://example.com/groups' => \@groups}});
my $jb = login('ATTACK') or BAIL_OUT('cannot sign in bob with a large session');
autologin('alice@example.com');
my @ca = map {"$NAME.$_"} grep { exists $ja->{"$NAME.$_"} } 0 .. 30;
my $nchunks = @ca;

sub chunks_header {
	my (@pairs) = @_;
	return join '; ', map {"$_->[0]=$_->[1]"} @pairs;
}
sub chunk_of { my ($j, $i) = @_; return ["$NAME.$i", $j->{"$NAME.$i"}] }

$G = 'cookie tampering: chunked sessions';
$m->group($G, about => "a session split over $nchunks cookies: chunks swapped with another user's, dropped, "
	. 'reordered, duplicated, added, both forms at once',
	expected => '401; controls: each user as themselves');
ok $nchunks >= 3, "the large session takes $nchunks cookies";
accepted_case($G, "control: alice's $nchunks chunks", 'ATTACK', chunks_header(map { chunk_of($ja, $_) } 0 .. $nchunks - 1), ALICE);
accepted_case($G, "control: bob's chunks", 'ATTACK', chunks_header(map { chunk_of($jb, $_) } 0 .. $nchunks - 1), BOB);
for my $k (0 .. $nchunks - 1) {
	refused_case($G, "chunk $k from bob's session, the rest alice's", 'ATTACK',
		chunks_header(map { chunk_of($_ == $k ? $jb : $ja, $_) } 0 .. $nchunks - 1));
	refused_case($G, "chunk $k missing", 'ATTACK', chunks_header(map { chunk_of($ja, $_) } grep { $_ != $k } 0 .. $nchunks - 1));
	refused_case($G, "chunk $k replaced by junk", 'ATTACK',
		chunks_header(map { $_ == $k ? ["$NAME.$k", 'AAAA'] : chunk_of($ja, $_) } 0 .. $nchunks - 1));
	refused_case($G, "chunk $k repeated, junk last", 'ATTACK',
		chunks_header((map { chunk_of($ja, $_) } 0 .. $nchunks - 1), ["$NAME.$k", 'AAAA']));
}
refused_case($G, 'chunks 0 and 1 swapped', 'ATTACK',
	chunks_header(["$NAME.0", $ja->{"$NAME.1"}], ["$NAME.1", $ja->{"$NAME.0"}], map { chunk_of($ja, $_) } 2 .. $nchunks - 1));
refused_case($G, 'one chunk more (count mismatch)', 'ATTACK',
	chunks_header((map { chunk_of($ja, $_) } 0 .. $nchunks - 1), ["$NAME.$nchunks", $jb->{"$NAME.0"}]));
refused_case($G, 'the last chunk missing (count mismatch)', 'ATTACK',
	chunks_header(map { chunk_of($ja, $_) } 0 .. $nchunks - 2));
refused_case($G, 'a whole-form cookie of junk beside the chunks (the whole form is read first)', 'ATTACK',
	chunks_header([$NAME, 'junk'], map { chunk_of($ja, $_) } 0 .. $nchunks - 1));
refused_case($G, '40 chunks of junk', 'ATTACK', chunks_header(map { ["$NAME.$_", 'QUFBQQ'] } 0 .. 39));
refused_case($G, 'chunk names .00 .01 (not chunks)', 'ATTACK',
	chunks_header(map { ["$NAME.0$_", $ja->{"$NAME.$_"}] } 0 .. $nchunks - 1));
accepted_case($G, "control: alice's chunks joined into one cookie (the same sealed value)", 'ATTACK',
	chunks_header([$NAME, join '', map { $ja->{"$NAME.$_"} } 0 .. $nchunks - 1]), ALICE);

# ---- replay: expired, logged out ---------------------------------------------------------------------------------
$G = 'cookie tampering: replayed cookies';
$m->group($G, about => 'a cookie replayed after its session expired, after logout (cookie and cache stores)',
	expected => 'expired: 401; logged out: 401 with the cache store; the cookie store is stateless: a copy '
	  . 'kept by an attacker lives until its timeouts (documented in SECURITY.md)');
{
	# Sessions keep their start in whole seconds, so one that lasts 1 s ends when the clock's second next
	# turns: anywhere from a few milliseconds to 1 s after the login. The control is conclusive only when
	# the login and the probe fall within one second; started just after a second turns, they do, unless
	# the machine is slow enough that they did not, and then it is tried again.
	my ($t0, $c, $st, $user);
	for my $try (1 .. 3) {
		second_start();
		$t0 = time;
		my $j = login('ATTACK');
		$c = "$NAME=$j->{$NAME}";
		($st, $user) = probe('ATTACK', $c, '/short/x');
		last if int(time) == int($t0);
	}
	$m->case(group => $G, case => 'control: a fresh session where sessions last 1 s', target => 'GET /short/x (Auth0SessionMaxDuration 1)',
		expected => '200 as ' . ALICE, observed => "$st" . ($user ? " as $user" : ''), pass => $st == 200 && ($user // '') eq ALICE);
	wait_until(5, sub { time - $t0 > 2.2 });
	refused_case($G, 'the same cookie after Auth0SessionMaxDuration', 'ATTACK', $c, path => '/short/x',
		target => 'GET /short/x (Auth0SessionMaxDuration 1)', deleted => $NAME);
	refused_case($G, 'the expired cookie replayed after it was deleted', 'ATTACK', $c, path => '/short/x',
		target => 'GET /short/x (Auth0SessionMaxDuration 1)');
}
{
	my $NC = '__Host-atkoidc';
	my $j = login('ATTACK_OIDC');
	my $c = "$NC=$j->{$NC}";
	accepted_case($G, 'control: a cache-store session', 'ATTACK_OIDC', $c, ALICE);
	my $out = raw_request(port => 'ATTACK_OIDC', target => '/logout', headers => ['Sec-Fetch-Site' => 'same-origin', Cookie => $c]);
	ok $out->{status} == 302, 'logged out (cache store)';
	refused_case($G, 'a cache-store session id replayed after logout', 'ATTACK_OIDC', $c);
	my ($id) = $j->{$NC} =~ /^s\.(.*)$/;
	my $other = $id;
	substr($other, 10, 1) = substr($other, 10, 1) eq 'A' ? 'B' : 'A';
	refused_case($G, 'a cache-store session id with one character changed', 'ATTACK_OIDC', "$NC=s.$other");
	refused_case($G, 'a cache-store session id without its "s." mark', 'ATTACK_OIDC', "$NC=$id");
}
{
	my $j = login('ATTACK');
	my $c = "$NAME=$j->{$NAME}";
	my $out = raw_request(port => 'ATTACK', target => '/logout', headers => ['Sec-Fetch-Site' => 'same-origin', Cookie => $c]);
	ok $out->{status} == 302 && deleted($out, $NAME), 'logged out (cookie store): the cookie is deleted in the browser';
	my ($st, $user) = probe('ATTACK', $c);
	$m->case(group => $G, case => 'a cookie-store cookie copied before logout and replayed',
		target => 'GET /cgi/probe', expected => 'accepted until its timeouts (stateless store, documented)',
		observed => "$st" . ($user ? " as $user" : ''), pass => $st == 200 && ($user // '') eq ALICE);
	my $t0 = time;
	wait_until(5, sub { time - $t0 > 2.2 });
	refused_case($G, '... and refused once Auth0SessionMaxDuration passed', 'ATTACK', $c, path => '/short/x',
		target => 'GET /short/x (Auth0SessionMaxDuration 1)');
}

# ---- foreign seals: another site's secret, transaction cookies ------------------------------------------------
$G = 'cookie tampering: foreign seals';
$m->group($G, about => "a session cookie of another site (same name, another Auth0SessionSecret); a login "
	. 'transaction cookie offered as a session and a session offered as a transaction (keys and names are bound in)',
	expected => '401 for sessions; 400 for the callback, no session');
{
	my $jo = login('ATTACK_OTHER');
	refused_case($G, "another site's session cookie (same name, another secret)", 'ATTACK', "$NAME=$jo->{$NAME}");
	my $jt = {};
	my $res = start_login('ATTACK', '/cgi/txn', jar => $jt);
	my ($txn) = grep {/auth0_txn_/} keys %$jt;
	refused_case($G, 'a login transaction cookie as the session cookie', 'ATTACK', "$NAME=$jt->{$txn}");
	refused_case($G, 'a login transaction cookie as a session chunk', 'ATTACK', "$NAME.0=$jt->{$txn}");
	# the callback with a session where its transaction should be
	my $cb = tenant_authorize(hdr($res, 'Location'));
	my $u = URI->new($cb);
	for my $case (['a session cookie under the transaction cookie\'s name', $good],
		['another login\'s transaction cookie under this one\'s name', do {
			my $j2 = {};
			start_login('ATTACK', '/cgi/other', jar => $j2);
			my ($t2) = grep {/auth0_txn_/} keys %$j2;
			$j2->{$t2};
		}])
	{
		my ($what, $value) = @$case;
		my $r = raw_request(port => 'ATTACK', target => $u->path_query, headers => [Accept => 'text/html', Cookie => "$txn=$value"]);
		my $session = grep {/^\Q$NAME\E(?:\.\d+)?=[^;]/} set_cookies($r);
		$m->case(group => $G, case => $what, target => 'GET /callback', expected => '400, no session',
			observed => "$r->{status}" . ($session ? ', a session was set' : ''), pass => $r->{status} == 400 && !$session);
	}
}

ok alive('ATTACK'), 'httpd still answers';
$m->summary;
done_testing();
