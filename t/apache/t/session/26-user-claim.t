# Auth0UserClaim CLAIM [REGEX [REPLACEMENT]]: REMOTE_USER made from a claim by a regular expression (for
# applications that want "alice" where the token says "alice@example.com"), as mod_auth_openidc's
# OIDCRemoteUserClaim does. A value the expression does not match names nobody: no session at login, 403 at
# a location whose expression does not take the session's user, 401 for a bearer token; never the claim's
# raw value.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
use Auth0Test::Api ();
use Test::More;
use Time::HiRes qw(time);

reset_tenant();
autologin('alice@example.com');
my $API = 'https://api.example.com/';

# The site names users by their e-mail address's local part; /other/ takes addresses of another domain only;
# /sub/ names them by sub again; /swap/ rewrites with two groups.
my ($h, $base) = app_site_start(<<'EOC');
Auth0UserClaim email ^([^@]+)@example\.com$
<Location /other/>
    Auth0UserClaim email ^(.+)@other\.example$
</Location>
<Location /sub/>
    Auth0UserClaim sub
</Location>
<Location /swap/>
    Auth0UserClaim email "^([^@]+)@(.+)$" "$2/$1"
</Location>
EOC
my $b = browser();
my $res = $b->visit("$base/echo");
is $res->code, 200, 'a login at a location with an expression';
is json_of($res)->{REMOTE_USER}, 'alice', '... names the user by what it makes of the claim';
is json_of($b->get("$base/echo"))->{REMOTE_USER}, 'alice', '... on the next request too (the session keeps it)';
is json_of($b->get("$base/sub/echo"))->{REMOTE_USER}, ALICE, 'a location naming users by sub: the sub';
is json_of($b->get("$base/swap/echo"))->{REMOTE_USER}, 'example.com/alice', 'groups in another order';
my $mark = length log_of($h);
$res = $b->get("$base/other/echo");
is $res->code, 403, 'a location whose expression does not take the user: 403';
unlike $res->decoded_content, qr/alice\@example/, '... the raw claim given out nowhere';
like substr(log_of($h), $mark), qr/alice\@example\.com does not match this location's Auth0UserClaim expression/,
	'... and the log says why';
is json_of($b->get("$base/echo"))->{REMOTE_USER}, 'alice', 'the session still serves the site';
httpd_stop($h);

# The site's expression does not take the account: the login is not refused (its callback's location is
# seldom the page's, which may have a rule of its own), but every location with that expression refuses it,
# and a location with another rule (a partners' area) names it by its own.
($h, $base) = app_site_start('Auth0UserClaim email ^(.+)@other\.example$',
	after => "<Location /partners/>\nAuth0UserClaim email ^(.+)\@example\\.com\$\n</Location>\n"
	  . "<Location /filter/>\nAuth0UserClaim email \@example\\.com\$\n</Location>");
$b = browser();
$mark = length log_of($h);
$res = $b->visit("$base/partners/echo");
is $res->code, 200, 'a login from a location with its own rule, which takes the account';
is json_of($res)->{REMOTE_USER}, 'alice', '... named by that rule';
like substr(log_of($h), $mark), qr/alice\@example\.com \(claim email\) does not match Auth0UserClaim's expression here/,
	'... though the callback\'s rule would not take it (logged)';
$res = $b->get("$base/echo");
is $res->code, 403, 'the site, whose expression does not take the account: 403';
like $res->decoded_content, qr/This account cannot use this page/, '... saying so';
unlike $res->decoded_content, qr/alice\@example/, '... without the raw claim';
is json_of($b->get("$base/filter/echo"))->{REMOTE_USER}, 'alice@example.com',
	'an expression without a group is a filter: the whole value';
is json_of($b->get("$base/partners/echo"))->{REMOTE_USER}, 'alice', 'the partners\' area still serves it';
httpd_stop($h);

# A renewal at a location whose expression does not take the account (tokens of 2 s, renewed halfway) does
# not end the session: the location refuses the request, the site goes on.
settings(access_token_lifetime => 2);
($h, $base) = app_site_start(qq{Auth0UserClaim email ^([^@]+)\@example\\.com\$\nAuth0Scope "openid profile email offline_access"},
	after => "<Location /other/>\nAuth0UserClaim email ^(.+)\@other\\.example\$\n</Location>");
$b = browser();
is json_of($b->visit("$base/echo"))->{REMOTE_USER}, 'alice', 'a session with a refresh token';
my $token_at = time;
wait_until(3, sub { time - $token_at > 1.2 });
my $renewals = counter('POST /oauth/token grant=refresh_token');
is $b->get("$base/other/echo")->code, 403, 'its token renewed at a location that refuses the account: 403';
is counter('POST /oauth/token grant=refresh_token') - $renewals, 1, '... after the renewal';
is json_of($b->get("$base/echo"))->{REMOTE_USER}, 'alice', '... and the session goes on for the site';
httpd_stop($h);
settings(access_token_lifetime => undef);

# Bearer tokens: the same rule; two locations with different rules never share a validated token's name.
my $port = free_port();
($h, my $out) = httpd_start(app_site(port => $port, vhost => "Auth0Audience $API",
	root => "AuthType Auth0Bearer\nRequire valid-user\nAuth0UserClaim sub ^(.+)\@clients\$",
	after => "<Location /other/>\nAuth0UserClaim sub ^(.+)\@users\$\n</Location>"));
ok $h, 'httpd starts with bearer locations' or diag $out;
my $token = Auth0Test::Api::m2m_token();
$b = browser();
$res = $b->get("https://127.0.0.1:$port/echo", Authorization => "Bearer $token", Accept => 'application/json');
is $res->code, 200, 'a bearer token at a location with an expression';
is json_of($res)->{REMOTE_USER}, 'demo-m2m-client', '... names its subject by what the expression makes of it';
$res = $b->get("https://127.0.0.1:$port/other/echo", Authorization => "Bearer $token", Accept => 'application/json');
is $res->code, 401, 'the same token where the expression does not take it: 401';
like $res->header('WWW-Authenticate') // '', qr/error="invalid_token"/, '... invalid_token';
is json_of($b->get("https://127.0.0.1:$port/echo", Authorization => "Bearer $token", Accept => 'application/json'))
	->{REMOTE_USER}, 'demo-m2m-client', '... and the first location still takes it';
httpd_stop($h);

# Start-up: a bad expression or replacement names the directive.
refused_at_start(free_port(), app_site(port => free_port(), vhost => 'Auth0UserClaim email ^(unclosed'),
	qr/Auth0UserClaim: '\^\(unclosed' is not a valid regular expression/);
refused_at_start(free_port(), app_site(port => free_port(), vhost => 'Auth0UserClaim email ^(.*)@ $2'),
	qr/Auth0UserClaim: the replacement '\$2' names group \$2, and the expression has 1/);
refused_at_start(free_port(), app_site(port => free_port(), vhost => 'Auth0UserClaim email ^(.*)@ ""'),
	qr/Auth0UserClaim: the replacement is empty/);

reset_tenant();
done_testing();
