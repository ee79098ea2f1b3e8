# The Management token is fetched once for many concurrent admin API requests served by several httpd
# processes: it lives sealed in the shared cache and its refresh is single-flight (the auth0-flight
# mutex). Counted with the tenant's counter of client-credentials grants.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
use Auth0Test::Api;
use Auth0Test::Admin;
use LWP::UserAgent;
use POSIX qw(_exit);
use Test::More;

my $GRANT = 'POST /oauth/token grant=client_credentials';
my $BOB   = 'auth0%7Cb0b000000000000000000002';

reset_tenant();
my $token = m2m_token();    # a token for the Example API (itself a client-credentials grant, before counting)

sub admin_site {
	my ($port) = @_;
	return <<"EOC";
Listen 127.0.0.1:$port
<IfModule mpm_event_module>
    ServerLimit 4
    StartServers 4
    ThreadsPerChild 4
    MinSpareThreads 16
    MaxSpareThreads 16
    MaxRequestWorkers 16
</IfModule>
<IfModule mpm_worker_module>
    ServerLimit 4
    StartServers 4
    ThreadsPerChild 4
    MinSpareThreads 16
    MaxSpareThreads 16
    MaxRequestWorkers 16
</IfModule>
<IfModule mpm_prefork_module>
    StartServers 8
    MinSpareServers 8
    MaxSpareServers 10
    MaxRequestWorkers 10
</IfModule>
<VirtualHost 127.0.0.1:$port>
    ServerName 127.0.0.1
    Auth0Domain "$ENV{AUTH0_TEST_DOMAIN}"
    Auth0CACertificateFile "$ENV{AUTH0_TEST_CA_FILE}"
    Auth0ClientID jwt-client
    Auth0ClientAssertionKey "$ENV{AUTH0_TEST_STATE_DIR}/client-rs256.key"
    # (a client id means browser logins to mod_auth0's start-up checks, which then want these too)
    Auth0RedirectURI /callback
    Auth0SessionSecret token-test-session-secret-0123456789-abcdef
    <Location /api>
        SetHandler auth0-management
        AuthType Auth0Bearer
        Auth0Audience https://api.example.com/
        Auth0ManagementAllow users.get roles.list
        Require valid-user
    </Location>
</VirtualHost>
EOC
}
my $port = free_port();
my ($h, $out) = httpd_start(admin_site($port));
ok $h, 'an httpd with several processes' or BAIL_OUT("httpd did not start: $out");

control(DELETE => '/__control/counters');
is counter($GRANT), 0, 'no Management token requested yet';

# 8 clients x 6 requests, all at once, each on a new connection
my $CLIENTS = 8;
my $EACH    = 6;
my @pids;
for my $c (1 .. $CLIENTS) {
	pipe my $r, my $w or die "pipe: $!";
	my $pid = fork // die "fork: $!";
	if (!$pid) {
		close $r;
		my $ua = LWP::UserAgent->new(timeout => 30, keep_alive => 0);
		$ua->env_proxy(0);
		my @codes;
		for my $i (1 .. $EACH) {
			my $path = $i % 2 ? "/api/users/$BOB" : '/api/roles';
			push @codes, $ua->get("http://127.0.0.1:$port$path", Authorization => "Bearer $token")->code;
		}
		print $w join(',', @codes), "\n";
		close $w;
		_exit(0);
	}
	close $w;
	push @pids, [$pid, $r];
}
my @codes;
for (@pids) {
	my ($pid, $r) = @$_;
	my $line = <$r> // '';
	chomp $line;
	push @codes, split /,/, $line;
	waitpid $pid, 0;
}
is scalar @codes, $CLIENTS * $EACH, 'every request was answered';
is scalar(grep { $_ != 200 } @codes), 0, 'all of them 200' or diag "codes: @codes";
is counter($GRANT), 1, 'ONE Management token request reached the tenant';
is counter('GET /api/v2/users/{id}') + counter('GET /api/v2/roles'), $CLIENTS * $EACH, 'and every call';

open my $fh, '<', "$h->{dir}/error_log" or die $!;
my %served;
while (<$fh>) {
	$served{$1}++ if /\[pid (\d+)(?::tid \d+)?\].*admin API GET (?:users\.get|roles\.list) by /;
}
close $fh;
cmp_ok scalar(keys %served), '>=', 2, 'served by ' . scalar(keys %served) . ' processes';
my $obtained = 0;
open $fh, '<', "$h->{dir}/error_log" or die $!;
while (<$fh>) { $obtained++ if /obtained a Management API token/ }
close $fh;
is $obtained, 1, 'one process obtained it (the log says so once)';

# later requests, in new processes or not, reuse it
for (1 .. 10) {
	LWP::UserAgent->new(keep_alive => 0)->get("http://127.0.0.1:$port/api/roles", Authorization => "Bearer $token");
}
is counter($GRANT), 1, 'ten more requests: still one';

httpd_stop($h);

# a tenant that says its Management token never expires (expires_in of 2^63 - 1): libauth0 saturates the
# expiry, and the shared cache's expiry made of it must not overflow (UBSan stopped the ASan build there)
{
	my $mgmt = token(grant_type => 'client_credentials', client_id => 'demo-m2m-client',
	                 client_secret => 'demo-m2m-secret', audience => tenant_url() . '/api/v2/')->{access_token};
	fault({path => '/oauth/token', status => 200,
	       body => qq({"access_token":"$mgmt","token_type":"Bearer","expires_in":9223372036854775807})});
	my $other = free_port();
	my ($h2, $out2) = httpd_start(admin_site($other));
	ok $h2, 'another httpd' or diag $out2;
	my $res = LWP::UserAgent->new(keep_alive => 0)->get("http://127.0.0.1:$other/api/roles",
	                                                    Authorization => "Bearer $token");
	is $res->code, 200, 'a Management token said to expire in 2^63 - 1 seconds: the call works';
	unlike log_of($h2), qr/runtime error|AddressSanitizer/, '... and nothing overflowed';
	clear_faults();
	httpd_stop($h2);
}
done_testing;
