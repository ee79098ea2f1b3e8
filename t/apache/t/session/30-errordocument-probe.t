# Auth0ErrorPages errordocument: before a page of the module gives way to the site's ErrorDocument, pages.c
# (errordocument_usable) probes the document with a look-up sub-request, as anyone would ask for it: the
# probe carries none of the browser's Cookie, Authorization, Origin (a copy of the request's headers without
# them stands in while the sub-request copies them), and the request's own headers are put back, every
# value in its order, for the ErrorDocument that httpd then serves with them. A probe that is refused by the
# module again (here: a plain-http request through a trusted proxy, refused with 403 "HTTPS is required"
# in the probe too) does not probe in turn: where an <If> section applies (an HSTS header only over https),
# httpd authenticates each nested probe again instead of taking its parent's result, so that without that
# rule the probes nest down to httpd's limit (AH00125) behind the same answer.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
use Auth0Test::Api ();
use Test::More;

reset_tenant();
autologin('alice@example.com');

my $dir = t_dir() . "/logs/errordocument-probe-$$";
mkdir $dir or die "mkdir $dir: $!";
chmod 0755, $dir;
{
	open my $fh, '>', "$dir/403.html" or die "cannot write $dir/403.html: $!";
	print $fh "<p>the site's own 403 page</p>\n";
	close $fh;
}


# ---- a probe refused again does not probe; what it hides from the document's location ---------------------
my ($h, $base) = app_site_start(<<'EOV', after => <<"EOC");
Auth0ErrorPages errordocument
Auth0TrustForwardedHeaders On
Auth0LoginPath /login
ErrorDocument 403 /errdoc/403.html
<If "%{HTTPS} == 'on'">
    Header always set Strict-Transport-Security "max-age=300"
</If>
EOV
Alias /errdoc/ "$dir/"
<Location /members/>
    Auth0ClaimHeaderPrefix X-Members-
</Location>
<Location /api/>
    AuthType Auth0Bearer
    Auth0Audience https://api.example.com/
    Require valid-user
</Location>
<Location /logout>
    ErrorDocument 405 /members/echo
</Location>
<Location /login>
    ErrorDocument 405 /api/echo
</Location>
EOC
new_log_of($h);

# a request the trusted proxy (loopback) says came over plain http: refused, and so is the probe of the
# ErrorDocument, which carries the same X-Forwarded-Proto
my $res = browser()->get("$base/echo", 'X-Forwarded-Proto' => 'http');
my $log = new_log_of($h);
is $res->code, 403, 'plain http through a trusted proxy: 403';
my $body = $res->decoded_content // '';
like $body, qr{<h1>HTTPS is required</h1>}, "... the module's own page (the ErrorDocument's probe was refused too)";
is scalar(() = $body =~ /<!DOCTYPE html>/g), 1, '... once';
unlike $body, qr/the site's own 403 page/, "... not the site's document";
is scalar(() = $log =~ m{ErrorDocument 403 /errdoc/403\.html needs a login or is refused}g), 1,
	'... one probe, whose refusal the log tells once';
like $log, qr{ErrorDocument 403 /errdoc/403\.html needs a login or is refused \(403\)},
	"... with the probe's status: a sub-request answers with its status alone, its page is not written";
unlike $log, qr/AH00125|subrequest nesting/, '... no probe of the probe, down to the nesting limit';
is scalar(() = $log =~ /refused a plain-http request/g), 2, '... the request and its probe refused, nothing more';

# the probe carries no Cookie: a signed-in browser's 405 at the logout, whose ErrorDocument needs a login
my $b = browser();
is $b->visit("$base/members/echo")->code, 200, 'alice is signed in, and may see /members/echo';
$res = $b->request(PUT => "$base/logout", content => 'x', 'Sec-Fetch-Site' => 'same-origin');
$log = new_log_of($h);
is $res->code, 405, 'her PUT of the logout: 405';
like $res->decoded_content, qr{<h1>Method not allowed</h1>}, "... the module's own page";
unlike $res->decoded_content, qr/REMOTE_USER/, '... not the ErrorDocument, which her session may see';
like $log, qr{ErrorDocument 405 /members/echo needs a login or is refused \(401\)},
	'... whose probe went without her session cookie (401)';
is $b->get("$base/members/echo")->code, 200, '... and her session is still good';

# the probe carries no Authorization: a bearer token's 405 at the login link, whose ErrorDocument is an API's
my $token = Auth0Test::Api::m2m_token();
is browser()->get("$base/api/echo", Authorization => "Bearer $token")->code, 200, 'the token opens /api/echo';
$res = browser()->request(PUT => "$base/login", content => 'x', Authorization => "Bearer $token");
$log = new_log_of($h);
is $res->code, 405, 'a PUT of the login link with that token: 405';
unlike $res->decoded_content, qr/REQUEST_URI/, '... not the ErrorDocument, which the token may see';
like $log, qr{ErrorDocument 405 /api/echo needs a login or is refused \(401\)},
	'... whose probe went without the Authorization header (401)';
httpd_stop($h);

# ---- the request's headers after the probe: every value, in its order -------------------------------------
# httpd merges a header the client repeats before any module sees it, but a module may add another value of
# a header (RequestHeader add ... early, as here): the request then holds two of it. The ErrorDocument goes
# to a backend (another virtual host of this httpd), which gets each value as a line of its own and merges
# them, in their order, into what its CGI sees. httpd runs the early RequestHeader again for the ErrorDocument's
# internal redirect, which shares the request's headers: each ends with a third value, httpd's, after the
# two the request had.
my $backend = free_port();
($h, $base) = app_site_start(<<'EOV', server => <<"EOS", after => <<"EOC");
Auth0ErrorPages errordocument
ErrorDocument 400 /proxied/echo
RequestHeader add X-Rep second early
RequestHeader add Cookie extra=2 early
RequestHeader add Origin https://second.example early
RequestHeader add Authorization "Basic c2Vjb25kOnB3" early
EOV
Listen 127.0.0.1:$backend http
<VirtualHost 127.0.0.1:$backend>
    ServerName 127.0.0.1
    ScriptAlias /echo "@{[t_dir()]}/htdocs/echo.cgi"
    <Location /echo>
        CGIPassAuth On
        Require all granted
    </Location>
</VirtualHost>
EOS
<Location /proxied/>
    AuthType None
    Require all granted
    ProxyPass http://127.0.0.1:$backend/
</Location>
EOC
$res = browser()->get("$base/callback?code=x&state=y", 'X-Rep' => 'first', Cookie => 'site=1',
	Origin => 'https://first.example', Authorization => 'Basic Zmlyc3Q6cHc=');
my $env = json_of($res);
# (with the backend's status: httpd keeps the error's status for a document it serves, not for a proxied one)
is $env->{REQUEST_URI}, '/echo', "a stale callback: the site's ErrorDocument, which its probe found open";
is $env->{HTTP_COOKIE}, 'site=1, extra=2, extra=2', '... which gets the Cookie the probe went without, both values in order';
is $env->{HTTP_ORIGIN}, 'https://first.example, https://second.example, https://second.example', '... Origin likewise';
is $env->{HTTP_AUTHORIZATION}, 'Basic Zmlyc3Q6cHc=, Basic c2Vjb25kOnB3, Basic c2Vjb25kOnB3',
	'... Authorization likewise';
is $env->{HTTP_X_REP}, 'first, second, second', '... and the headers the probe had';
httpd_stop($h);

done_testing();
