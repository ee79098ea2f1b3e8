use Mojo::Base -strict, -signatures;

# The real executable over TLS, through t/with-tenant and
# start-background/stop: READY handshake, certificate, clean shutdown.

use FindBin;
use lib "$FindBin::Bin/lib";

use File::Temp qw(tempdir);
use Mojo::File qw(path);
use Test::More;
use TenantTest qw(pki_dir);

my $tenant = path($FindBin::Bin)->dirname;
my $with   = $tenant->dirname->child('with-tenant');
my $out    = tempdir(CLEANUP => 1);

sub alive ($pid) { kill 0, $pid }

# with-tenant: the command sees the variables and a working HTTPS tenant.
local $ENV{AUTH0_TEST_STATE_DIR} = pki_dir();
my $script = <<'PERL';
use Mojo::Base -strict;
use Mojo::UserAgent;
my $ua = Mojo::UserAgent->new(ca => $ENV{AUTH0_TEST_CA_FILE});
my $tx = $ua->get("$ENV{AUTH0_TEST_BASE_URL}/.well-known/openid-configuration");
die 'TLS request failed: ' . ($tx->error // {})->{message} unless ($tx->res->code // 0) == 200;
print join "\n", $tx->res->json->{issuer}, @ENV{qw(AUTH0_TEST_DOMAIN AUTH0_TEST_BASE_URL AUTH0_TEST_TENANT_PID)}, '';
my $strict = Mojo::UserAgent->new;    # the system CAs do not know the test CA
print 'untrusted: ', ($strict->get("$ENV{AUTH0_TEST_BASE_URL}/")->error ? 'refused' : 'accepted'), "\n";
exit 7;
PERL
path($out, 'client.pl')->spurt($script);
system("$with $^X $out/client.pl > $out/result 2>$out/stderr");
is $? >> 8, 7, "with-tenant exits with the command's status";
my ($issuer, $domain, $base, $pid, $untrusted) = split /\n/, path($out, 'result')->slurp;
like $domain, qr/^127\.0\.0\.1:\d+$/, 'AUTH0_TEST_DOMAIN';
is $base,   "https://$domain", 'AUTH0_TEST_BASE_URL';
is $issuer, "$base/",          'the discovery document names the tenant';
is $untrusted, 'untrusted: refused', 'the certificate needs the test CA';
ok $pid && !alive($pid), 'the tenant is gone afterwards';

# start-background / stop.
my $state = tempdir(CLEANUP => 1);
system("cp " . pki_dir() . "/*.pem " . pki_dir() . "/*.key " . pki_dir() . "/*.crt $state/") == 0 or die;
my $url = qx($tenant/start-background $state);
chomp $url;
like $url, qr{^https://127\.0\.0\.1:\d+$}, 'start-background prints the URL';
is path($state, 'tenant.url')->slurp, "$url\n", 'tenant.url';
my $bg = path($state, 'tenant.pid')->slurp =~ s/\s+//gr;
ok alive($bg), 'running detached';
is qx($tenant/start-background $state), "$url\n", 'a second start reuses the running tenant';
is system("$tenant/stop", $state), 0, 'stop';
ok !alive($bg), 'stopped';
ok !-e "$state/tenant.pid", 'pid file removed';

done_testing;
