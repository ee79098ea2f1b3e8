# SetHandler auth0-metrics: host-wide counters of what the module did, in Prometheus' text format.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
use Test::More;

reset_tenant();
autologin('alice@example.com');
my $base = url('SESSION', '');

sub metrics {
	my $res = browser()->get("$base/metrics");
	return ($res, {map { /^(\S+) (\d+)$/ ? ($1 => $2) : () } split /\n/, $res->content});
}

my ($res, $before) = metrics();
is $res->code, 200, 'served (Require ip 127.0.0.1)';
like $res->header('Content-Type') // '', qr{^text/plain; version=0\.0\.4}, '... in the Prometheus text format';
is $res->header('X-Content-Type-Options'), 'nosniff', '... never sniffed into anything else';
like $res->content, qr/^# HELP auth0_logins_total .+\n# TYPE auth0_logins_total counter\n/m, '... with HELP and TYPE';
ok exists $before->{'auth0_logins_total{outcome="completed"}'}, '... and every counter, zero or not';
is scalar(() = $res->content =~ /^# TYPE auth0_logins_total /mg), 1, '... each family once';

my $b = browser();
$b->visit("$base/echo");
browser()->get("$base/callback?code=x&state=y");    # stale
browser()->get("$base/echo", Accept => 'application/json');
my (undef, $after) = metrics();
sub grew { my ($k, $n) = @_; ($after->{$k} // 0) - ($before->{$k} // 0) >= $n }
ok grew('auth0_logins_total{outcome="started"}', 1), 'a login started is counted';
ok grew('auth0_logins_total{outcome="completed"}', 1), '... and completed';
ok grew('auth0_logins_total{outcome="stale"}', 1), 'a stale callback';
$b->get("$base/logout", 'Sec-Fetch-Site' => 'same-origin');
(undef, $after) = metrics();
ok grew('auth0_sessions_ended_total{reason="logout"}', 1), 'a logout';

done_testing;
