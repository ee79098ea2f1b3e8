# Fault matrix: the tenant's clock is off (its clock_offset setting shifts the times of the tokens it
# issues) within and beyond the default leeway (Auth0ClockSkew 60). Access tokens are checked for exp,
# nbf and iat; ID tokens, like ruby-auth0's, for exp only (their iat need only be a number).
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

sub bearer_with_offset {
	my ($offset) = @_;
	settings(clock_offset => $offset);
	my $res = bearer_https('FAULTS', '/bearer/echo', m2m_token());
	observe("$offset s: " . $res->code);
	return $res;
}

matrix_case('clock.bearer-ahead', sub {
	is bearer_with_offset(30)->code, 200, 'a token issued 30 s in the future: 200';
	my $res = bearer_with_offset(300);
	is $res->code, 401, 'issued 300 s in the future: 401';
	like www_authenticate($res), qr/error="invalid_token".*invalid issue time/, '... invalid issue time';
	is bearer_with_offset(0)->code, 200, 'with the clocks agreeing again: 200';
});

matrix_case('clock.bearer-behind', sub {
	settings(access_token_lifetime => 60);
	is bearer_with_offset(-100)->code, 200, 'a 60 s token that expired 40 s ago: 200 (leeway)';
	my $res = bearer_with_offset(-200);
	is $res->code, 401, 'that expired 140 s ago: 401';
	like www_authenticate($res), qr/The access token expired/, '... expired';
});

matrix_case('clock.login-ahead', sub {
	settings(clock_offset => 300);
	my $a = login_with(fsite('FAULTS', '/echo?ahead=1'));
	is $a->{res}->code, 302, 'an ID token issued 300 s in the future: the login completes';
	is user_of($a->{browser}->get(fsite('FAULTS', '/echo?ahead=1'))), ALICE, '... signed in';
	observe('callback ' . $a->{res}->code);
});

matrix_case('clock.login-behind', sub {
	settings(id_token_lifetime => 60, clock_offset => -100);
	my $a = login_with(fsite('FAULTS', '/echo?behind=1'));
	is $a->{res}->code, 302, 'an ID token of 60 s expired 40 s ago: the login completes (leeway)';
	settings(clock_offset => -200);
	my $mark = log_mark();
	$a = login_with(fsite('FAULTS', '/echo?behind=2'));
	is $a->{res}->code, 502, 'expired 140 s ago: 502';
	like log_since($mark), qr/ID token was refused \(expired\)/, '... the ID token refused as expired';
	observe('-100 s: 302, -200 s: ' . $a->{res}->code);
	settings(clock_offset => 0);
	nothing_lost_login($a, fsite('FAULTS', '/echo?behind=2'), link => 0);
});

done_testing();
