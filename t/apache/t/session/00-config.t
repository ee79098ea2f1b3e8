# Directives of login and sessions: a bad value stops httpd with a message naming the directive
# (apache2 -t), a missing one stops it at start-up; a complete configuration passes.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
use Test::More;

my $app = app_directives();

my ($status, $out) = httpd_check("$app\nAuth0LogoutPath /logout\nAuth0SessionStore cache\n"
	. "Auth0SessionInactivityTimeout 30m\nAuth0SessionMaxDuration 8h\nAuth0CookieSameSite Strict\n"
	. "Auth0LogoutReturnToAllow /bye https://app.example.com/\nAuth0LogoutEndpoint oidc\n"
	. "Auth0TrustForwardedHeaders on\nAuth0TrustedProxies 10.0.0.0/8 ::1\nAuth0MaxLoginTransactions 3\n"
	. "Auth0PreservePost On 2048\nAuth0MaxAge 1h\n"
	. "Auth0IdentityClaimFilter nonce at_hash\nAuth0IdentityClaimFilter azp\n"
	. "Auth0Audience none\nAuth0Organization none\nAuth0CookieDomain none\nAuth0OutgoingProxy none\n"
	. "<Location /app>\nAuthType Auth0\nRequire valid-user\nAuth0Unauthenticated 401\n</Location>\n");
is $status, 0, 'a complete configuration passes apache2 -t' or diag $out;

# a section that adds to an enclosing one is checked with what it inherits from it
($status, $out) = httpd_check("<Location />\n" . join("\n", grep { !/^Listen/ } split /\n/, $app)
	. "\nAuthType Auth0\nRequire valid-user\n</Location>\n<Location /reports>\nAuth0Audience https://api.example.com/\n"
	. "</Location>\n");
is $status, 0, 'a <Location /reports> that adds an audience to the <Location /> it is in passes' or diag $out;

# the same for a <Files> inside a <Directory>, under a site configured at server level
($status, $out) = httpd_check("$app\n<Directory /tmp>\n<Files report.html>\nAuthType Auth0\nRequire valid-user\n"
	. "Auth0Audience https://api.example.com/\n</Files>\n</Directory>\n");
is $status, 0, 'a <Files> that adds an audience to a site configured at server level passes' or diag $out;

my @bad = (
	['Auth0SessionSecret short'                          => qr/Auth0SessionSecret: .*32 characters/],
	['Auth0SessionSecret env:AUTH0_TEST_NOT_SET_ANYWHERE' => qr/Auth0SessionSecret: .*not set/],
	['Auth0SessionStore disk'                             => qr/Auth0SessionStore: 'disk' is not one of: cookie, cache/],
	['Auth0SessionInactivityTimeout 0'                    => qr/Auth0SessionInactivityTimeout: /],
	['Auth0SessionInactivityTimeout soon'                 => qr/Auth0SessionInactivityTimeout: 'soon' is not a duration/],
	['Auth0SessionMaxDuration 5x'                         => qr/Auth0SessionMaxDuration: /],
	['Auth0CookieName __Host-mine'                        => qr/Auth0CookieName: .*prefix/],
	['Auth0CookieName "a b"'                              => qr/Auth0CookieName: /],
	['Auth0CookieDomain localhost'                        => qr/Auth0CookieDomain: /],
	['Auth0CookieSameSite Sometimes'                      => qr/Auth0CookieSameSite: 'Sometimes' is not one of/],
	['Auth0LogoutPath logout'                             => qr/Auth0LogoutPath: /],
	['Auth0LogoutPath //logout'                           => qr/Auth0LogoutPath: /],
	['Auth0LogoutReturnTo javascript:alert(1)'            => qr/Auth0LogoutReturnTo: /],
	['Auth0LogoutReturnToAllow ftp://example.com/'        => qr/Auth0LogoutReturnToAllow: /],
	['Auth0LogoutReturnToAllow http://example.com/'       => qr/Auth0LogoutReturnToAllow: .*https/],
	['Auth0LogoutEndpoint v3'                             => qr/Auth0LogoutEndpoint: 'v3' is not one of: v2, oidc, local/],
	['Auth0Unauthenticated maybe'                         => qr/Auth0Unauthenticated: 'maybe' is not one of: auth, 401, pass/],
	['Auth0RedirectURI callback'                          => qr/Auth0RedirectURI: /],
	['Auth0RedirectURI http://app.example.com/callback'   => qr/Auth0RedirectURI: .*https/],
	['Auth0RedirectURI https://app.example.com//evil.example/cb' => qr/Auth0RedirectURI: .*no \/\//],
	['Auth0Scope profile email'                           => qr/Auth0Scope: .*openid/],
	['Auth0AuthorizationParam state x'                    => qr/Auth0AuthorizationParam: 'state' is set by mod_auth0/],
	['Auth0AuthorizationParam audience x'                 => qr/Auth0AuthorizationParam: .*Auth0Audience/],
	['Auth0LoginTimeout 0'                                => qr/Auth0LoginTimeout: /],
	['Auth0MaxLoginTransactions 0'                        => qr/Auth0MaxLoginTransactions: /],
	['Auth0MaxLoginTransactions 21'                       => qr/Auth0MaxLoginTransactions: /],
	['Auth0PostLoginURL //evil.example.com'               => qr/Auth0PostLoginURL: /],
	['Auth0IDTokenSigningAlg PS384'                       => qr/Auth0IDTokenSigningAlg: 'PS384' is not one of: RS256, HS256, PS256/],
	['Auth0MaxAge 0'                                      => qr/Auth0MaxAge: /],
	['Auth0MaxAge soon'                                   => qr/Auth0MaxAge: /],
	['Auth0PreservePost maybe'                            => qr/Auth0PreservePost: 'maybe' must be on or off/],
	['Auth0PreservePost On 0'                             => qr/Auth0PreservePost: '0' must be a number of bytes from 1 to 49152/],
	['Auth0PreservePost On 49153'                         => qr/Auth0PreservePost: '49153' must be/],
	['Auth0PreservePost On 1k'                            => qr/Auth0PreservePost: '1k' must be/],
	['Auth0PreservePost Off 100'                          => qr/Auth0PreservePost: a size goes with on only/],
	['Auth0TrustedProxies not-an-address'                 => qr/Auth0TrustedProxies: /],
	['Auth0TrustedProxies 10.0.0.0/33'                    => qr/Auth0TrustedProxies: .*prefix length/],
	['Auth0TrustForwardedHeaders maybe'                   => qr/Auth0TrustForwardedHeaders: 'maybe' is not one of: off, on, X-Forwarded, Forwarded/],
	['Auth0RefreshTokens maybe'                           => qr/Auth0RefreshTokens/],
	['Auth0HTTPTimeout 0'                                 => qr/Auth0HTTPTimeout: /],
	['Auth0HTTPTimeout nan'                               => qr/Auth0HTTPTimeout: /],
	['Auth0ClaimHeaderPrefix X-'                          => qr/Auth0ClaimHeaderPrefix: .*would also remove X-Forwarded-/],
	['Auth0ClaimHeaderPrefix X_Requested'                 => qr/Auth0ClaimHeaderPrefix: .*X-Requested-With/],
	['Auth0RedirectURI /'                                 => qr/Auth0RedirectURI: .*not the site's root/],
	['Auth0RedirectURI https://app.example.com'           => qr/Auth0RedirectURI: .*not the site's root/],
	['Auth0RedirectURI /a/../callback'                    => qr/Auth0RedirectURI: .*segments/],
	['Auth0RedirectURI /call%62ack'                       => qr/Auth0RedirectURI: .*decoded/],
	['Auth0LogoutPath /'                                  => qr/Auth0LogoutPath: .*not the site's root/],
	['Auth0LogoutPath /x/./logout'                        => qr/Auth0LogoutPath: .*segments/],
	['Auth0HTTPTimeout 1e2'                               => qr/Auth0HTTPTimeout: /],
	['Auth0HTTPRetries 11'                                => qr/Auth0HTTPRetries: /],
	['Auth0ClockSkew 1h'                                  => qr/Auth0ClockSkew: /],
	['Auth0Cache nosuchprovider'                          => qr/Auth0Cache: unknown cache provider 'nosuchprovider'/],
	['Auth0CACertificateFile /nonexistent/ca.pem'         => qr/Auth0CACertificateFile: /],
	['Auth0ClientSecret env:AUTH0_TEST_NOT_SET_ANYWHERE'  => qr/Auth0ClientSecret: .*not set/],
	['Auth0Domain "not a domain"'                         => qr/Auth0Domain: /],
	['Auth0IdentityClaimFilter none email'                => qr/Auth0IdentityClaimFilter: 'email' cannot follow 'none'/],
	['Auth0IdentityClaimFilter email none'                => qr/Auth0IdentityClaimFilter: 'none' cannot be combined/],
	["Auth0IdentityClaimFilter \"two words\""             => qr/Auth0IdentityClaimFilter: 'two words' is not a claim name/],
);
for my $case (@bad) {
	my ($line, $re) = @$case;
	($status, $out) = httpd_check("$app\n$line\n");
	isnt $status, 0, "refused: $line";
	like $out, $re, '... with a message naming the directive';
}

# missing or inconsistent directives stop httpd when it starts, and `httpd -t` (apachectl configtest) says
# so first (check_config), so that a reload after a configtest cannot take the server down
my $port = free_port();
my @startup = (
	["<Location /app>\nAuthType Auth0\nRequire valid-user\nAuth0Domain $ENV{AUTH0_TEST_DOMAIN}\nAuth0ClientID x\n"
	  . "Auth0ClientSecret y\nAuth0RedirectURI /callback\n</Location>", qr/Auth0SessionSecret is not set/],
	["<Location /app>\nAuthType Auth0\nRequire valid-user\nAuth0Domain $ENV{AUTH0_TEST_DOMAIN}\nAuth0ClientID x\n"
	  . "Auth0ClientSecret y\nAuth0SessionSecret config-test-secret-0123456789-abcdefghijkl\n</Location>",
	  qr/Auth0RedirectURI is not set/],
	["$app\nAuth0LogoutPath /callback\n", qr/Auth0LogoutPath and Auth0RedirectURI must differ/],
	["$app\nAuth0LoginPath /callback\n", qr/Auth0LoginPath and Auth0RedirectURI must differ/],
	["$app\n<Location /x>\nAuth0BackChannelLogoutPath /bc\n</Location>\n", qr/Auth0BackChannelLogoutPath not allowed in <Location> context/],
	# credentials are inherited together: another client id does not borrow the enclosing one's secret
	["$app\n<Location /other>\nAuthType Auth0\nRequire valid-user\nAuth0ClientID another-client\n</Location>",
	  qr/in <Location \/other>.*neither Auth0ClientSecret nor Auth0ClientAssertionKey is set/],
	# HS256 ID tokens are signed with the client secret: an application with a key only cannot check them
	["$app\n<Location /jwt>\nAuthType Auth0\nRequire valid-user\nAuth0ClientID jwt-client\n"
	  . "Auth0ClientAssertionKey \"$ENV{AUTH0_TEST_STATE_DIR}/client-rs256.key\"\nAuth0IDTokenSigningAlg HS256\n</Location>",
	  qr/in <Location \/jwt>.*Auth0IDTokenSigningAlg HS256 needs Auth0ClientSecret/],
	# a key signs a client assertion: there is no secret to send in HTTP Basic
	["$app\n<Location /jwt>\nAuthType Auth0\nRequire valid-user\nAuth0ClientID jwt-client\n"
	  . "Auth0ClientAssertionKey \"$ENV{AUTH0_TEST_STATE_DIR}/client-rs256.key\"\nAuth0ClientAuthMethod basic\n</Location>",
	  qr/in <Location \/jwt>.*Auth0ClientAuthMethod basic sends Auth0ClientSecret, but Auth0ClientAssertionKey is set/],
	# <Files> and <If> sections are checked too, each with what it inherits from the section around it
	["<Directory /tmp>\n<Files secret.html>\nAuthType Auth0\nRequire valid-user\nAuth0Domain $ENV{AUTH0_TEST_DOMAIN}\n"
	  . "Auth0ClientID x\nAuth0ClientSecret y\nAuth0RedirectURI /callback\n</Files>\n</Directory>",
	  qr/in <Files secret\.html> in <Directory \/tmp\/?> of .*Auth0SessionSecret is not set/],
	["<Location /app>\nAuthType Auth0\nRequire valid-user\n<If \"%{QUERY_STRING} =~ /admin/\">\n"
	  . "Auth0Domain $ENV{AUTH0_TEST_DOMAIN}\nAuth0ClientID x\nAuth0ClientSecret y\n"
	  . "Auth0SessionSecret config-test-secret-0123456789-abcdefghijkl\n</If>\n</Location>",
	  qr/in <If> at .*:\d+ in <Location \/app> of .*Auth0RedirectURI is not set/],
	["<FilesMatch \"\\.pdf\$\">\nAuthType Auth0Bearer\nRequire valid-user\nAuth0Audience https://api.example.com/\n</FilesMatch>",
	  qr/in <FilesMatch .*pdf.*> in the server configuration of .*Auth0Domain/],
);
refused_at_start($port, @$_) for @startup;

refused_at_start(free_port(), 'Auth0ClientAuthMethod jwt', qr/Auth0ClientAuthMethod: 'jwt' is not one of: post, basic/);

done_testing();
