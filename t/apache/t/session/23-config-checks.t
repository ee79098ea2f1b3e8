# Start-up checks and directive values a review found too lenient: a protected location whose inherited
# configuration lacks a required directive, landing URLs that loop into the module's own paths, weak session
# secrets, a redis URL given to httpd's redis provider, numbers with signs or spaces, renewal margins past an
# hour, malformed cookie domains; http:// outgoing proxies are accepted, and conf/auth0.conf documents every
# metric the module exports.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
use Test::More;

my $app = app_directives();
(my $app_no_callback = $app) =~ s/^Auth0RedirectURI .*\n//m;
my $port = free_port();

# ---- refused at start-up (and by apache2 -t), with the directive and where --------------------------------------
my @startup = (
	# the virtual host of conf/auth0.conf without Auth0RedirectURI: its <Location /> sets nothing of mod_auth0
	["<VirtualHost 127.0.0.1:$port>\nServerName app.example.com\n$app_no_callback\nAuth0LogoutPath /logout\n"
	  . "<Location />\nAuthType Auth0\nRequire valid-user\n</Location>\n</VirtualHost>",
	  qr/in the server configuration of app\.example\.com:\d+: Auth0RedirectURI is not set/],
	# the same at server level, without any section
	["$app_no_callback\n", qr/in the server configuration of .*: Auth0RedirectURI is not set/],
	# a location with only AuthType and Require, inheriting nothing or too little
	["<Location /app>\nAuthType Auth0\nRequire valid-user\n</Location>", qr/in <Location \/app> of .*: Auth0Domain is not set/],
	["Auth0Domain \"$ENV{AUTH0_TEST_DOMAIN}\"\n<Location /api>\nAuthType Auth0Bearer\nRequire valid-user\n</Location>",
	  qr/in <Location \/api> of .*: Auth0Audience is required for AuthType Auth0Bearer/],
	["Auth0Domain \"$ENV{AUTH0_TEST_DOMAIN}\"\nAuth0Audience https://api.example.com/\n"
	  . "<Location /app>\nAuthType Auth0\nRequire valid-user\n</Location>",
	  qr/in <Location \/app> of .*: Auth0ClientID is not set/],
	["$app\n<Location /api>\nAuthType Auth0Bearer\nRequire valid-user\nAuth0Audience none\n</Location>",
	  qr/in <Location \/api> of .*: Auth0Audience is required for AuthType Auth0Bearer/],
	["<Directory /tmp>\n<Files report.html>\nAuthType Auth0\nRequire valid-user\n</Files>\n</Directory>",
	  qr/in <Files report\.html> in <Directory \/tmp\/?> of .*: Auth0Domain is not set/],
	# landing URLs that lead back into the module: a redirect loop
	["$app\nAuth0PostLoginURL /callback\n", qr/Auth0PostLoginURL \/callback is the path of Auth0RedirectURI/],
	["$app\nAuth0LoginPath /login\nAuth0PostLoginURL /login\n", qr/Auth0PostLoginURL \/login is the path of Auth0LoginPath/],
	["$app\nAuth0LogoutPath /logout\nAuth0PostLoginURL /logout\n", qr/Auth0PostLoginURL \/logout is the path of Auth0LogoutPath/],
	["$app\nAuth0LogoutPath /logout\nAuth0LogoutReturnTo /logout\n",
	  qr/Auth0LogoutReturnTo \/logout is the path of Auth0LogoutPath/],
	["$app\nAuth0LogoutReturnTo /callback\n", qr/Auth0LogoutReturnTo \/callback is the path of Auth0RedirectURI/],
	["$app_no_callback\nAuth0RedirectURI https://app.example.com/callback\nAuth0LogoutPath /logout\n"
	  . "Auth0LogoutReturnTo https://app.example.com/logout\n",
	  qr{Auth0LogoutReturnTo https://app\.example\.com/logout is the path of Auth0LogoutPath}],
	["<VirtualHost 127.0.0.1:$port>\nServerName www.example.com\nServerAlias app.example.com\n$app\n"
	  . "Auth0LogoutPath /bye\nAuth0LogoutReturnTo https://APP.example.com:8443/bye\n</VirtualHost>",
	  qr{Auth0LogoutReturnTo https://APP\.example\.com:8443/bye is the path of Auth0LogoutPath}],
	# a renewal margin past an hour: a mistake of units (milliseconds, minutes), at server level or in a section
	["$app\nAuth0RefreshBeforeExpiry 2h\n",
	  qr/Auth0RefreshBeforeExpiry: '2h' is too large \(at most 3600 seconds: an hour\)/],
	["$app\n<Location /api>\nAuth0RefreshBeforeExpiry 30000\n</Location>",
	  qr/Auth0RefreshBeforeExpiry: '30000' is too large/],
	# every login silent (prompt=none): refused, Auth0SilentLogin is the way to try one
	["$app\nAuth0AuthorizationParam prompt none\n",
	  qr/Auth0AuthorizationParam: prompt=none would make every login fail .*use Auth0SilentLogin/],
);
refused_at_start($port, @$_) for @startup;

# ---- accepted: what the checks must not take for a mistake -------------------------------------------------------
my @good = (
	['the virtual host of conf/auth0.conf, with an API location',
	 "<VirtualHost 127.0.0.1:$port>\nServerName app.example.com\n$app\nAuth0LogoutPath /logout\n"
	  . "<Location />\nAuthType Auth0\nRequire valid-user\n</Location>\n<Location /api/>\nAuth0Unauthenticated 401\n"
	  . "</Location>\n<Location /public/>\nRequire all granted\n</Location>\n<Location /v1/>\nAuthType Auth0Bearer\n"
	  . "Auth0Audience https://api.example.com/\nRequire valid-user\n</Location>\n</VirtualHost>"],
	['an API configured in its location, under a server that names the tenant only',
	 "Auth0Domain \"$ENV{AUTH0_TEST_DOMAIN}\"\n<Location /api>\nAuthType Auth0Bearer\nRequire valid-user\n"
	  . "Auth0Audience https://api.example.com/\n</Location>"],
	['AuthType Auth0 with the configuration in <If> and <Else> (each request meets one, each complete)',
	 "<Location /app>\nAuthType Auth0\nRequire valid-user\n<If \"%{HTTP_HOST} == 'a.example.com'\">\n$app</If>\n"
	  . "<Else>\n$app</Else>\n</Location>"],
	['AuthType None needs nothing', "<Location /open>\nAuthType None\nRequire all granted\n</Location>"],
	["another site's logout path as Auth0LogoutReturnTo",
	 "$app\nAuth0LogoutPath /logout\nAuth0LogoutReturnTo https://www.example.com/logout\n"],
	['a logout that lands on Auth0LoginPath (a new login, no loop)',
	 "$app\nAuth0LoginPath /login\nAuth0LogoutReturnTo /login\n"],
	['a secret from `openssl rand -hex 32`',
	 "$app\nAuth0SessionSecret 3f1c9a0e7b2d4c6f8a1e3b5d7c9f0a2e4b6d8f1a3c5e7b9d0f2a4c6e8b1d3f5a\n"],
);
for my $case (@good) {
	my ($name, $conf) = @$case;
	my ($st, $out) = httpd_check($conf);
	is $st, 0, "accepted: $name" or diag $out;
}

# ---- directive values ---------------------------------------------------------------------------------------------
my @bad = (
	# outgoing proxies: http(s) only, host and port; a password never shown
	['Auth0OutgoingProxy socks5://proxy.example.com:1080'     => qr/Auth0OutgoingProxy: .*http:\/\/ or https:\/\//],
	['Auth0OutgoingProxy http://user:S3cretPW@proxy.example.com:3128/path' => qr/Auth0OutgoingProxy: .*without a path/],
	['Auth0OutgoingProxy ftp://user:S3cretPW@proxy.example.com' => qr/Auth0OutgoingProxy: .*user and password hidden/],
	['Auth0OutgoingProxy http://proxy.example.com:99999'      => qr/Auth0OutgoingProxy: /],
	['Auth0OutgoingProxy proxy.example.com:3128'              => qr/Auth0OutgoingProxy: /],
	# session secrets long enough but not random
	['Auth0SessionSecret ' . ('a' x 32)                       => qr/Auth0SessionSecret: .*fewer than 8 different characters.*openssl rand/],
	['Auth0SessionSecret ' . ('0' x 40)                       => qr/Auth0SessionSecret: .*not random/],
	['Auth0SessionSecret ' . ('0123456' x 5)                  => qr/Auth0SessionSecret: .*not random/],
	['Auth0SessionSecret config-test-secret-0123456789-abcdefghijkl ' . ('ab' x 16) => qr/Auth0SessionSecret: secret 2 of 2 is not random/],
	# a redis URL without redis-auth: (httpd's redis provider would take it for a server list)
	['Auth0Cache redis://:S3cretPW@127.0.0.1:7870'            => qr/Auth0Cache: provider 'redis' is given a URL.*redis-auth:redis:\/\//],
	['Auth0Cache redis-auth://:S3cretPW@127.0.0.1:7870'       => qr/Auth0Cache: provider 'redis-auth' is given a URL/],
	# numbers: decimal digits only
	['Auth0SessionInactivityTimeout +30'                      => qr/Auth0SessionInactivityTimeout: '\+30' is not a duration/],
	['Auth0SessionInactivityTimeout " 30m"'                   => qr/Auth0SessionInactivityTimeout: ' 30m' is not a duration/],
	['Auth0SessionMaxDuration "8h "'                          => qr/Auth0SessionMaxDuration: /],
	['Auth0LoginTimeout +15m'                                 => qr/Auth0LoginTimeout: /],
	['Auth0MaxAge " 60"'                                      => qr/Auth0MaxAge: /],
	['Auth0ClockSkew +5'                                      => qr/Auth0ClockSkew: /],
	['Auth0RefreshBeforeExpiry +30'                           => qr/Auth0RefreshBeforeExpiry: '\+30' is not a duration/],
	['Auth0RefreshBeforeExpiry " 30"'                         => qr/Auth0RefreshBeforeExpiry: ' 30' is not a duration/],
	['Auth0RefreshBeforeExpiry -1'                            => qr/Auth0RefreshBeforeExpiry: '-1' is not a duration/],
	['Auth0RefreshBeforeExpiry 1.5'                           => qr/Auth0RefreshBeforeExpiry: '1\.5' is not a duration/],
	['Auth0RefreshBeforeExpiry 30ms'                          => qr/Auth0RefreshBeforeExpiry: '30ms' is not a duration/],
	['Auth0RefreshBeforeExpiry 3601'                          => qr/Auth0RefreshBeforeExpiry: '3601' is too large/],
	['Auth0RefreshBeforeExpiry 61m'                           => qr/Auth0RefreshBeforeExpiry: '61m' is too large/],
	['Auth0MaxLoginTransactions " 5"'                         => qr/Auth0MaxLoginTransactions: ' 5' must be a number from 1 to 20/],
	['Auth0MaxLoginTransactions +5'                           => qr/Auth0MaxLoginTransactions: /],
	['Auth0HTTPRetries +2'                                    => qr/Auth0HTTPRetries: /],
	['Auth0HTTPRetries " 2"'                                  => qr/Auth0HTTPRetries: /],
	['Auth0PreservePost On +100'                              => qr/Auth0PreservePost: '\+100' must be a number of bytes/],
	['Auth0PreservePost On " 100"'                            => qr/Auth0PreservePost: /],
	['Auth0TrustedProxies 10.0.0.0/+8'                        => qr/Auth0TrustedProxies: .*prefix length/],
	['Auth0TrustedProxies "10.0.0.0/ 8"'                      => qr/Auth0TrustedProxies: .*prefix length/],
	# cookie domains: host names of two labels or more
	['Auth0CookieDomain com.'                                 => qr/Auth0CookieDomain: 'com\.' must be a domain name/],
	['Auth0CookieDomain example.com.'                         => qr/Auth0CookieDomain: /],
	['Auth0CookieDomain example..com'                         => qr/Auth0CookieDomain: /],
	['Auth0CookieDomain -bad-.com'                            => qr/Auth0CookieDomain: /],
	['Auth0CookieDomain bad-.example.com'                     => qr/Auth0CookieDomain: /],
	['Auth0CookieDomain ..example.com'                        => qr/Auth0CookieDomain: /],
	['Auth0CookieDomain ' . ('a' x 64) . '.com'               => qr/Auth0CookieDomain: /],
);
for my $case (@bad) {
	my ($line, $re) = @$case;
	my ($st, $out) = httpd_check("$app\n$line\n");
	isnt $st, 0, "refused: $line";
	like $out, $re, '... with a message naming the directive';
	unlike $out, qr/S3cretPW|a{32}|0{40}/, '... that does not show the secret' if $line =~ /S3cretPW|SessionSecret/;
}

my @fine = (
	'Auth0OutgoingProxy http://proxy.example.com:3128',
	'Auth0OutgoingProxy https://proxy.example.com',
	'Auth0OutgoingProxy HTTP://proxy.example.com:8080/',
	'Auth0OutgoingProxy http://user:S3cretPW@proxy.example.com:3128',
	'Auth0OutgoingProxy http://[2001:db8::1]:3128',
	'Auth0SessionInactivityTimeout 030m',
	'Auth0MaxLoginTransactions 20',
	'Auth0RefreshBeforeExpiry 0',
	'Auth0RefreshBeforeExpiry 120',
	'Auth0RefreshBeforeExpiry 5m',
	'Auth0RefreshBeforeExpiry 1h',
	'Auth0RefreshBeforeExpiry 3600',
	'Auth0PreservePost On 100',
	'Auth0TrustedProxies 10.0.0.0/8',
	'Auth0CookieDomain example.com',
	'Auth0CookieDomain .example.com',
	'Auth0CookieDomain app-1.Example.co.uk',
);
for my $line (@fine) {
	my ($st, $out) = httpd_check("$app\n$line\n");
	is $st, 0, "accepted: $line" or diag $out;
}

# ---- conf/auth0.conf lists every metric family and label value the module exports ----------------------------------
SKIP: {
	# the source tree, from the build directory's Makefile
	my ($top) = map { /^abs_top_srcdir = (\S+)/ ? $1 : () } do {
		open my $fh, '<', "$ENV{AUTH0_TEST_BUILD}/Makefile" or skip 'no Makefile in the build directory', 1;
		<$fh>;
	};
	open my $fh, '<', "$top/conf/auth0.conf" or skip 'conf/auth0.conf not found', 1;
	my $conf = do { local $/; <$fh> };
	my ($section) = $conf =~ /^# ---- metrics -+\n(.*?)^# ---- /ms or skip 'no metrics section in conf/auth0.conf', 1;
	(my $doc = $section) =~ s/^#\s*//mg;
	$doc =~ s/\s+//g;    # a family's values may run over two lines
	my $res = browser()->get(url('SESSION', '/metrics'));
	is $res->code, 200, 'the metrics page';
	for my $line (grep { !/^#/ && /\S/ } split /\n/, $res->content) {
		my ($family, $label, $value) = $line =~ /^(\w+)(?:\{(\w+)="(\w+)"\})? \d+$/ or next;
		if (!defined $label) {
			like $doc, qr/\b\Q$family\E\b/, "conf/auth0.conf documents $family";
			next;
		}
		like $doc, qr/\b\Q$family\E\{\Q$label\E=[\w|]*\b\Q$value\E\b[\w|]*\}/, "conf/auth0.conf documents $family\{$label=$value}";
	}
}

done_testing();
