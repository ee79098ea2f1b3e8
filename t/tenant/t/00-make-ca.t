use Mojo::Base -strict, -signatures;

use FindBin;
use lib "$FindBin::Bin/lib";

use File::Temp qw(tempdir);
use Mojo::File qw(path);
use Test::More;
use TenantTest qw(pki_dir);

my $make_ca = "$FindBin::Bin/../make-ca";
my $dir     = tempdir(CLEANUP => 1);

is system($make_ca, $dir), 0, 'make-ca succeeds';
my @files = qw(ca.pem ca.key server.pem server.key client-rs256.key client-rs256.pub.pem client-es256.key
  client-es256.pub.pem signing-previous.key signing-previous.crt signing-current.key signing-current.crt);
ok -s "$dir/$_", "$_ exists" for @files;

like path($dir, 'client-rs256.key')->slurp, qr/^-----BEGIN PRIVATE KEY-----/, 'RSA client key is PKCS#8';
like path($dir, 'client-es256.key')->slurp, qr/^-----BEGIN PRIVATE KEY-----/, 'EC client key is PKCS#8';
like qx(openssl pkey -in $dir/client-es256.key -noout -text 2>&1), qr/P-256|prime256v1/, 'EC key is P-256';
like qx(openssl verify -CAfile $dir/ca.pem $dir/server.pem 2>&1), qr/: OK/, 'server certificate chains to the CA';
like qx(openssl x509 -in $dir/server.pem -noout -ext subjectAltName 2>&1), qr/IP Address:127\.0\.0\.1.*DNS:localhost/s,
  'server certificate names 127.0.0.1 and localhost';

my %before = map { $_ => path($dir, $_)->slurp } @files;
is system($make_ca, $dir), 0, 'second run succeeds';
is_deeply {map { $_ => path($dir, $_)->slurp } @files}, \%before, 'second run keeps every file';

ok -s pki_dir() . '/ca.pem', 'the shared test PKI exists';

done_testing;
