# Fault matrix: the tenant's JWKS (bearer tokens). Each group runs in an httpd of its own (two children),
# so that what it has cached, and when it last refetched the keys for an unknown kid (at most once a
# minute, shared through the cache), is known: the JWKS failing with nothing cached, with keys cached
# (refetch for an unknown kid failing or hanging), and the tenant rotating its key under parallel load.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
use Auth0Test::Api;
use Auth0Test::Faults;
use JSON::PP ();
use MIME::Base64 ();
use POSIX qw(WNOHANG);
use Test::More;

reset_tenant();
my $JWKS = '/.well-known/jwks.json';
my $HTML = '<!DOCTYPE html><html><body>Proxy error</body></html>';

sub kid_of {
	my ($jwt) = @_;
	my ($h) = split /\./, $jwt;
	return JSON::PP->new->decode(MIME::Base64::decode_base64url($h))->{kid};
}

# ---- nothing cached: one site (and secret) per case, in one httpd ---------------------------------------
my @nokeys = (
	['jwks.blackhole-nokeys', {action => 'blackhole'}],
	['jwks.500-nokeys', {status => 500}],
	['jwks.malformed-nokeys', {action => 'malformed'}],
	['jwks.truncated-nokeys', {action => 'truncate', body => '{"keys":[{"kty":"RSA","kid":"k1","n":"AQAB","e":"AQAB"}]}'}],
	['jwks.huge-nokeys', {action => 'huge', size => 12 * 1024 * 1024}],
	['jwks.ctype-nokeys', {status => 200, content_type => 'text/html', body => $HTML}],
	['jwks.slow', {delay_ms => 2000}],
);
my %port = map { $_->[0] => free_port() } @nokeys;
my $h = own_httpd(ports => {map { $port{$_} => 'cookie' } keys %port}, secret_per_port => 1);

for my $case (@nokeys) {
	my ($id, $rule) = @$case;
	my $base = "https://127.0.0.1:$port{$id}";
	matrix_case($id, sub {
		my $token = m2m_token();
		my $fetches = jwks_fetches();
		fault({method => 'GET', path => $JWKS, times => 0, %$rule});
		my ($took, $res) = elapsed { bearer_https($base, '/bearer/index.html', $token) };
		clear_faults();
		cmp_ok jwks_fetches(), '>', $fetches, 'the site had no keys: it fetched the JWKS';
		if ($id eq 'jwks.slow') {
			is $res->code, 200, 'a JWKS 2 s late (timeout 3 s): 200';
			cmp_ok $took, '>=', 1.9, '... after the delay';
			observe(sprintf '%d after %.1f s', $res->code, $took);
			return;
		}
		is $res->code, 503, 'no usable keys: 503';
		is www_authenticate($res), '', '... without a challenge (the token is not known to be bad)';
		cmp_ok $took, '<', 5, '... within the timeout';
		my $after = bearer_https($base, '/bearer/index.html', $token);
		is $after->code, 200, 'the same token once the JWKS is sane: 200';
		observe(sprintf '%d after %.1f s, then %d', $res->code, $took, $after->code);
	});
}
httpd_stop($h);

# ---- nothing cached, a login: the ID token cannot be checked ----------------------------------------------
matrix_case('jwks.500-nokeys-login', sub {
	my $port = free_port();
	my $h = own_httpd(ports => {$port => 'cookie'});
	my $url = "https://127.0.0.1:$port/echo";
	my $a = login_with($url, {method => 'GET', path => $JWKS, status => 500, times => 0});
	is $a->{res}->code, 503, 'a login whose ID token cannot be checked (no keys): 503';
	like $a->{res}->decoded_content, qr/Sign-in service unavailable/, '... the page says the service is unavailable';
	nothing_lost_login($a, $url);
	observe('callback ' . $a->{res}->code . ', then signed in');
	httpd_stop($h);
});

# ---- keys cached, the refetch for an unknown kid fails ---------------------------------------------------
matrix_case('jwks.fail-cached', sub {
	my $port = free_port();
	my $h = own_httpd(ports => {$port => 'cookie'});
	my $base = "https://127.0.0.1:$port";
	my $seen = m2m_token();
	is bearer_https($base, '/bearer/index.html', $seen)->code, 200, 'a token: 200 (keys fetched and cached)';
	fault({method => 'GET', path => $JWKS, status => 500, times => 0});
	my $fetches = jwks_fetches();
	my (%codes, $n);
	for (1 .. 4) {
		$codes{bearer_https($base, '/bearer/index.html', $seen)->code}++;
		$codes{bearer_https($base, '/bearer/index.html', m2m_token())->code}++;    # never seen before
		$n += 2;
	}
	is_deeply \%codes, {200 => $n}, "$n requests with known keys, new tokens among them: all 200";
	is jwks_fetches(), $fetches, '... without a JWKS request';
	tweak_next_token(kid => 'unknown-kid-of-a-rotation');
	my $unknown = m2m_token();
	my $mark = log_mark();
	my $res = bearer_https($base, '/bearer/index.html', $unknown);
	is $res->code, 503, 'a token with an unknown kid while the keys cannot be refetched: 503 (it may be signed with a key the tenant rotated to)';
	unlike www_authenticate($res) // '', qr/invalid_token/, '... not called an invalid token';
	cmp_ok jwks_fetches(), '>', $fetches, '... after trying to refetch the JWKS';
	my $log = do { open my $fh, '<', "$h->{dir}/error_log"; local $/; <$fh> } // '';
	like $log, qr/JWKS: refresh failed.*still using the keys/, '... which failed, the cached keys kept';
	%codes = ();
	$codes{bearer_https($base, '/bearer/index.html', $_)->code}++ for $seen, m2m_token(), m2m_token();
	is_deeply \%codes, {200 => 3}, 'known keys are still served afterwards';
	clear_faults();
	observe("known keys: 200 x " . ($n + 3) . ", unknown kid: " . $res->code);
	httpd_stop($h);
});

# ---- keys cached, the refetch hangs -------------------------------------------------------------------------
matrix_case('jwks.hang-cached', sub {
	my $port = free_port();
	my $h = own_httpd(ports => {$port => 'cookie'});
	my $base = "https://127.0.0.1:$port";
	my $seen = m2m_token();
	is bearer_https($base, '/bearer/index.html', $seen)->code, 200, 'a token: 200 (keys cached)';
	# the requests made during the hang must end within it (Auth0HTTPTimeout 3 s): their new tokens are
	# asked of the tenant before it begins, so that only the requests to this server fall in it
	my @fresh = (m2m_token(), m2m_token());
	fault({method => 'GET', path => $JWKS, action => 'blackhole', times => 0});
	tweak_next_token(kid => 'unknown-kid-of-a-rotation');
	my $unknown = m2m_token();
	my $fetches = jwks_fetches();
	my $file = t_dir() . "/logs/faults-hang-$$";
	my $pid = fork // die "fork: $!";
	if (!$pid) {
		my $r = bearer_https($base, '/bearer/index.html', $unknown);
		open my $fh, '>', $file;
		print $fh $r->code;
		close $fh;
		POSIX::_exit(0);
	}
	ok wait_until(10, sub { jwks_fetches() > $fetches }), 'a token with an unknown kid makes the server refetch';
	my %codes;
	$codes{bearer_https($base, '/bearer/index.html', $_)->code}++ for $seen, $fresh[0], $seen, $fresh[1];
	is_deeply \%codes, {200 => 4}, 'meanwhile, tokens of known keys are served (200)';
	is waitpid($pid, WNOHANG), 0, '... while the refetch still hangs';
	wait_until(15, sub { waitpid($pid, WNOHANG) != 0 });
	my $code = do { open my $fh, '<', $file; <$fh> } // 'none';
	is $code, 503, 'the unknown kid is answered 503 after the timeout (the keys could not be refreshed)';
	clear_faults();
	observe("known keys: 200 x 4 during the hang; unknown kid: $code");
	httpd_stop($h);
});

# ---- rotation under parallel load -------------------------------------------------------------------------------
matrix_case('jwks.rotation-load', sub {
	my $port = free_port();
	my $h = own_httpd(ports => {$port => 'cookie'}, servers => 2);
	my $base = "https://127.0.0.1:$port";
	my $old = m2m_token();
	my $old_kid = kid_of($old);
	is bearer_https($base, '/bearer/index.html', $old)->code, 200, 'before: 200 (keys cached)';
	my $fetches = jwks_fetches();
	my $l = load_start(workers => 4, kinds => [
		['old', sub { my ($ua) = @_; $ua->get("$base/bearer/index.html", Authorization => "Bearer $old") }],
		['fresh', sub {
			my ($ua) = @_;
			my $t = m2m_token();
			my $kid = kid_of($t) eq $old_kid ? 'oldkey' : 'newkey';
			return ($ua->get("$base/bearer/index.html", Authorization => "Bearer $t"), $kid);
		}],
	]);
	ok wait_until(60, sub { (load_progress($l))[1] >= 40 }), 'load is running';
	my $rotated = control(POST => '/__control/keys/rotate', {});
	ok $rotated->{kid} && $rotated->{kid} ne $old_kid, 'the tenant rotated its key';
	my $enough = wait_until(90, sub { ((load_progress($l))[0]{'fresh:newkey'}{200} // 0) >= 40 });
	my ($seen, $total) = load_stop($l);
	ok $enough, 'requests with tokens of the new key were served';
	my %bad;
	for my $kind (keys %$seen) {
		$bad{"$kind $_"} = $seen->{$kind}{$_} for grep { $_ ne '200' } keys %{$seen->{$kind}};
	}
	is_deeply \%bad, {}, "$total requests: all 200 (zero 5xx, zero 401)";
	cmp_ok $seen->{'fresh:newkey'}{200} // 0, '>=', 40, '... of them with the new key';
	cmp_ok $seen->{'old'}{200} // 0, '>=', 10, '... and the old key\'s token throughout';
	my $refetches = jwks_fetches() - $fetches;
	cmp_ok $refetches, '<=', 2, "... after $refetches JWKS refetch(es) (one per child at most)";
	autologin('alice@example.com');
	my $b = browser();
	my $res = $b->visit("$base/echo");
	is user_of($res), ALICE, 'a login (ID token of the new key) works';
	observe(sprintf '%d requests, %d with the new key, all 200; %d refetch(es)', $total,
		$seen->{'fresh:newkey'}{200} // 0, $refetches);
	httpd_stop($h);
});

# the suite's server still has the start keys: back to them
reset_tenant();

done_testing();
