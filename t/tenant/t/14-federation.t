use Mojo::Base -strict, -signatures;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use TenantTest qw(new_tenant base);

my $t    = new_tenant();
my $base = base($t);

$t->get_ok('/samlp/metadata/demo-web-client')->status_is(200)->content_type_like(qr{^application/xml})
  ->content_like(qr{<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2\.0:metadata" entityID="urn:127\.0\.0\.1:\d+">})
  ->content_like(qr{<SingleSignOnService Binding="urn:oasis:names:tc:SAML:2\.0:bindings:HTTP-Redirect" Location="\Q$base\E/samlp/demo-web-client"/>})
  ->content_like(qr{<X509Certificate>MII[A-Za-z0-9+/=]+</X509Certificate>});
my $jwk = $t->app->keys->jwk($t->app->keys->current);
$t->content_like(qr{\Q$jwk->{x5c}[0]\E}, 'the signing certificate of the JWKS');
$t->get_ok('/samlp/metadata/nope')->status_is(404);

$t->get_ok('/wsfed/FederationMetadata/2007-06/FederationMetadata.xml')->status_is(200)
  ->content_like(qr{fed:SecurityTokenServiceType})->content_like(qr{<Address>\Q$base\E/wsfed</Address>});

$t->get_ok('/samlp/demo-web-client?connection=Username-Password-Authentication')->status_is(200)->content_like(qr/SAML2/);
$t->get_ok('/wsfed/demo-web-client?whr=Username-Password-Authentication')->status_is(200)->content_like(qr/WS-Federation/);
$t->get_ok('/wsfed/nope')->status_is(404);

done_testing;
