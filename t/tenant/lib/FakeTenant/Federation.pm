package FakeTenant::Federation;

# SAML2 and WS-Federation: the IdP metadata documents a client downloads
# (XML with the tenant's signing certificate, as Auth0 publishes them) and
# the sign-in URLs, which here only show an explanatory page: the fake
# tenant does not issue SAML assertions.

use Mojo::Base 'Mojolicious::Controller', -signatures;

use Mojo::URL;
use Mojo::Util qw(xml_escape);

my $SAML_NS  = 'urn:oasis:names:tc:SAML:2.0';
my $BINDINGS = "$SAML_NS:bindings";

sub routes ($class, $r) {
  $r->get('/samlp/metadata/<#client_id>')->to('Federation#saml_metadata');
  $r->get('/samlp/<#client_id>')->to('Federation#saml_login');
  $r->get('/wsfed/FederationMetadata/2007-06/FederationMetadata.xml')->to('Federation#wsfed_metadata');
  $r->get('/wsfed/<#client_id>')->to('Federation#wsfed_login');
  $r->get('/wsfed')->to('Federation#wsfed_login');
}

sub _entity_id ($c) { 'urn:' . Mojo::URL->new($c->tenant->base_url)->host_port }

sub _certificate ($c) { $c->app->keys->current->{x5c} // '' }

sub _render_xml ($c, $xml) {
  $c->res->headers->content_type('application/xml; charset=utf-8');
  return $c->render(data => $xml);
}

sub saml_metadata ($c) {
  my $id = $c->param('client_id');
  return $c->render(text => 'Not Found', status => 404) unless $c->dir->client($id);
  my $base  = xml_escape($c->tenant->base_url);
  my $entry = xml_escape(_entity_id($c));
  my $cert  = _certificate($c);
  my $url   = "$base/samlp/" . xml_escape($id);
  return _render_xml($c, <<"XML");
<?xml version="1.0"?>
<EntityDescriptor xmlns="$SAML_NS:metadata" entityID="$entry">
  <IDPSSODescriptor protocolSupportEnumeration="$SAML_NS:protocol">
    <KeyDescriptor use="signing">
      <KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#">
        <X509Data>
          <X509Certificate>$cert</X509Certificate>
        </X509Data>
      </KeyInfo>
    </KeyDescriptor>
    <SingleLogoutService Binding="$BINDINGS:HTTP-Redirect" Location="$url/logout"/>
    <SingleLogoutService Binding="$BINDINGS:HTTP-POST" Location="$url/logout"/>
    <NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</NameIDFormat>
    <NameIDFormat>$SAML_NS:nameid-format:persistent</NameIDFormat>
    <NameIDFormat>$SAML_NS:nameid-format:transient</NameIDFormat>
    <SingleSignOnService Binding="$BINDINGS:HTTP-Redirect" Location="$url"/>
    <SingleSignOnService Binding="$BINDINGS:HTTP-POST" Location="$url"/>
    <Attribute xmlns="$SAML_NS:assertion" Name="http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress" NameFormat="$SAML_NS:attrname-format:uri" FriendlyName="E-Mail Address"/>
    <Attribute xmlns="$SAML_NS:assertion" Name="http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name" NameFormat="$SAML_NS:attrname-format:uri" FriendlyName="Name"/>
  </IDPSSODescriptor>
</EntityDescriptor>
XML
}

sub wsfed_metadata ($c) {
  my $base  = xml_escape($c->tenant->base_url);
  my $entry = xml_escape(_entity_id($c));
  my $cert  = _certificate($c);
  return _render_xml($c, <<"XML");
<?xml version="1.0"?>
<EntityDescriptor xmlns="$SAML_NS:metadata" entityID="$entry">
  <RoleDescriptor xsi:type="fed:SecurityTokenServiceType" protocolSupportEnumeration="http://docs.oasis-open.org/wsfed/federation/200706" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:fed="http://docs.oasis-open.org/wsfed/federation/200706">
    <KeyDescriptor use="signing">
      <KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#">
        <X509Data>
          <X509Certificate>$cert</X509Certificate>
        </X509Data>
      </KeyInfo>
    </KeyDescriptor>
    <fed:ClaimTypesOffered>
      <auth:ClaimType Uri="http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress" Optional="true" xmlns:auth="http://docs.oasis-open.org/wsfed/authorization/200706">
        <auth:DisplayName>E-Mail Address</auth:DisplayName>
      </auth:ClaimType>
      <auth:ClaimType Uri="http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name" Optional="true" xmlns:auth="http://docs.oasis-open.org/wsfed/authorization/200706">
        <auth:DisplayName>Name</auth:DisplayName>
      </auth:ClaimType>
    </fed:ClaimTypesOffered>
    <fed:PassiveRequestorEndpoint>
      <EndpointReference xmlns="http://www.w3.org/2005/08/addressing">
        <Address>$base/wsfed</Address>
      </EndpointReference>
    </fed:PassiveRequestorEndpoint>
  </RoleDescriptor>
</EntityDescriptor>
XML
}

sub saml_login ($c) { _not_supported($c, 'SAML2') }

sub wsfed_login ($c) { _not_supported($c, 'WS-Federation') }

sub _not_supported ($c, $protocol) {
  my $id = $c->param('client_id');
  return $c->render(text => 'Not Found', status => 404) if defined $id && !$c->dir->client($id);
  return $c->render(template => 'federation', protocol => $protocol);
}

1;
