# Fault matrix: the tenant answers with errors (bursts of 500, 502, 503, 504), malformed or truncated
# JSON, answers larger than the size cap (8 MiB) and HTML instead of JSON. Logins are not retried on
# 5xx (the Authentication API's policy: only 429), Management calls are (twice).
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
use Auth0Test::Faults;
use Test::More;

reset_tenant();
autologin('alice@example.com');
my $BOB = '/users/auth0%7Cb0b000000000000000000002';
my $HUGE = 12 * 1024 * 1024;
my $HTML = '<!DOCTYPE html><html><body><h1>Welcome to the hotel Wi-Fi</h1></body></html>';

# A login whose callback meets $rule; checks the status and that nothing is lost.
sub failed_login {
	my ($path, $rule, $status, $what) = @_;
	my $url = fsite('FAULTS', $path);
	my $mark = log_mark();
	my $a = login_with($url, $rule);
	is $a->{res}->code, $status, "$what: the callback answers $status";
	like log_since($mark), qr/code exchange failed/, '... logged';
	observe("$what: callback " . $a->{res}->code);
	nothing_lost_login($a, $url);
	return $a;
}

# The admin API meets $rule ($times times); checks the status and error, then that the next call works.
sub failed_admin {
	my ($rule, $status, $error, $what) = @_;
	my $res = admin_get('FAULTS', $BOB);
	is $res->code, 200, "$what: an admin call first";
	fault({method => 'GET', path => '/api/v2/users/*', %$rule});
	$res = admin_get('FAULTS', $BOB);
	clear_faults();
	is $res->code, $status, "$what: $status";
	is json_of($res)->{error}, $error, "... $error";
	like $res->header('Content-Type') // '', qr{^application/json}, '... as JSON';
	is admin_get('FAULTS', $BOB)->code, 200, '... the next call: 200';
	observe("$what: " . $res->code . ' ' . (json_of($res)->{error} // '?'));
	return $res;
}

# A session that renews its token meets $rule; checks the status, that the session is kept and renews.
sub failed_refresh {
	my ($rule, $status, $what) = @_;
	my $b = refresh_browser();
	my $cookie = session_cookie($b);
	fault({path => '/oauth/token', %$rule});
	my $res = $b->get(fsite('FAULTS_REFRESH', '/echo'));
	clear_faults();
	is $res->code, $status, "$what: the renewal answers $status";
	ok session_cookie($b) eq $cookie, '... the session cookie is kept as it was';
	is user_of($b->get(fsite('FAULTS_REFRESH', '/echo'))), ALICE, '... and the session renews afterwards';
	observe("$what: " . $res->code);
}

# ---- bursts ---------------------------------------------------------------------------------------------
for my $s (500, 502, 503, 504) {
	matrix_case("burst.login-$s", sub {
		my $signed = signed_in(fsite('FAULTS', '/echo'));
		my $want = $s == 503 ? 503 : 502;
		my $before = token_requests('authorization_code');
		for my $n (1, 2) {
			my $a = login_with(fsite('FAULTS', "/echo?burst=$s"), {path => '/oauth/token', status => $s});
			is $a->{res}->code, $want, "login $n of the burst: $want";
			ok !session_cookie($a->{browser}), '... no session';
			is txn_cookies($a->{browser}), 0, '... no transaction cookie';
			is user_of($signed->get(fsite('FAULTS', '/echo'))), ALICE, '... a signed-in browser is served';
		}
		my $a = login_with(fsite('FAULTS', "/echo?burst=$s"));
		is $a->{res}->code, 302, 'the login after the burst completes';
		is user_of($a->{browser}->get(fsite('FAULTS', "/echo?burst=$s"))), ALICE, '... signed in';
		is token_requests('authorization_code') - $before, 3, 'one exchange per login (5xx are not retried)';
		observe("2 x $want, then " . $a->{res}->code);
	});
}

for my $s (500, 502, 503, 504) {
	matrix_case("burst.admin-$s", sub {
		is admin_get('FAULTS', $BOB)->code, 200, 'an admin call';
		my $calls = counter('GET /api/v2/users/{id}');
		fault({method => 'GET', path => '/api/v2/users/*', status => $s, times => 2});
		my $res = admin_get('FAULTS', $BOB);
		is $res->code, 200, "a burst of two $s is retried away: 200";
		is counter('GET /api/v2/users/{id}') - $calls, 3, '... in three attempts';
		clear_faults();
		my $want = $s == 503 ? 503 : 502;
		my $error = $s == 503 ? 'tenant_unavailable' : 'tenant_error';
		failed_admin({status => $s, times => 3}, $want, $error, "a burst of three $s");
	});
}

matrix_case('burst.refresh', sub {
	failed_refresh({status => $_}, $_ == 503 ? 503 : 502, "$_ during a renewal") for 500, 502, 503, 504;
});

# ---- malformed, truncated --------------------------------------------------------------------------------
matrix_case('malformed.login', sub {
	failed_login('/echo?m=1', {path => '/oauth/token', action => 'malformed'}, 502, 'malformed JSON');
});

matrix_case('truncated.login', sub {
	failed_login('/echo?t=1', {path => '/oauth/token', action => 'truncate'}, 502, 'a truncated answer');
});

matrix_case('malformed.refresh', sub {
	failed_refresh({action => 'malformed'}, 502, 'malformed JSON');
	failed_refresh({action => 'truncate'}, 502, 'a truncated answer');
});

matrix_case('malformed.admin', sub {
	failed_admin({action => 'malformed'}, 502, 'tenant_error', 'malformed JSON');
});

matrix_case('truncated.admin', sub {
	failed_admin({action => 'truncate', body => '{"user_id":"auth0|b0b000000000000000000002","email":"bob@example.com"}'},
		502, 'tenant_error', 'a truncated answer');
});

# ---- too large -------------------------------------------------------------------------------------------
matrix_case('huge.login', sub {
	my $mark = log_mark();
	failed_login('/echo?h=1', {path => '/oauth/token', action => 'huge', size => $HUGE}, 502, 'a 12 MiB answer');
	like log_since($mark), qr/larger than \d+ bytes refused/, '... refused by the size cap';
});

matrix_case('huge.admin', sub {
	failed_admin({action => 'huge', size => $HUGE}, 502, 'tenant_error', 'a 12 MiB answer');
});

# ---- wrong content type -------------------------------------------------------------------------------------
matrix_case('ctype.login', sub {
	failed_login('/echo?c=1', {path => '/oauth/token', status => 200, content_type => 'text/html', body => $HTML},
		502, 'an HTML page');
});

matrix_case('ctype.admin', sub {
	failed_admin({status => 200, content_type => 'text/html', body => $HTML}, 502, 'tenant_error', 'an HTML page');
});

done_testing();
