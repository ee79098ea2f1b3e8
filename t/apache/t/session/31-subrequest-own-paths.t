# The module's own paths (the callback, Auth0LogoutPath, Auth0LoginPath) act for the browser's request only,
# never for a sub-request that names one: an SSI include (or PHP's virtual(), mod_dir's index look-up) of
# /logout would sign the browser out, of /callback?code=..&state=.. would use a login's state and code
# (the browser's copy of them in its request's Cookie header), of /login would start a login. A sub-request
# of a signed-in page inherits its identity and never reaches them (mod_auth0.c: inherit_identity); here the
# page that includes them is open to anyone (no login, so nothing to inherit), as with any public page of a
# site whose browsers carry its cookies. Where the paths lie in a protected location, check_authn answers
# such a sub-request 403; where they lie outside, the handler declines it (httpd then looks for a file).
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
use Test::More;
use URI;

# mod_include, from the directory of the modules the suite loads
my ($moddir) = do {
	open my $fh, '<', $ENV{AUTH0_TEST_BASE_CONF} or die "cannot read $ENV{AUTH0_TEST_BASE_CONF}: $!";
	map { m{^LoadModule\s+\w+\s+(\S+)/mod_\w+\.so} ? $1 : () } <$fh>;
};
plan skip_all => 'no mod_include.so' unless $moddir && -f "$moddir/mod_include.so";

reset_tenant();
autologin('alice@example.com');

my $ERROR = '[an error occurred while processing this directive]';
my $dir = t_dir() . "/logs/ssi-own-paths-$$";
mkdir $dir or die "mkdir $dir: $!";
chmod 0755, $dir;
my %files = (
	'part.html'      => 'the part',
	'page.shtml'     => '[<!--#include virtual="/ssi/part.html" -->]',
	'logout.shtml'   => '[<!--#include virtual="/logout" -->]',
	# the page's query (the code and state) goes on to the include: echoed first, to show that it does
	'callback.shtml' => '<!--#echo encoding="none" var="QUERY_STRING" -->[<!--#include virtual="/callback?${QUERY_STRING}" -->]',
	'login.shtml'    => '[<!--#include virtual="/login?returnTo=%2Fapp%2Fecho" -->]',
	'page-of-app.shtml' => '[<!--#include virtual="/echo" -->]',
);
while (my ($name, $text) = each %files) {
	open my $fh, '>', "$dir/$name" or die "cannot write $dir/$name: $!";
	print $fh $text, $name =~ /\.shtml$/ ? "\n" : '';
	close $fh;
}

my $SSI = <<"EOC";
Alias /ssi/ "$dir/"
<Location /ssi/>
    AuthType None
    Require all granted
    Options +Includes
    AddOutputFilter INCLUDES .shtml
</Location>
EOC
my $INCLUDE = "<IfModule !include_module>\nLoadModule include_module $moddir/mod_include.so\n</IfModule>";


# the sub-requests, from a public page, to the paths of a site where they are at $app: $where says how
# they are refused, and what the include's error in the log is
sub own_paths_ok {
	my ($h, $base, $app, $what, $refused) = @_;
	my $b = browser();
	is $b->visit("$base$app/echo")->code, 200, "$what: alice signs in";
	my $res = $b->get("$base/ssi/page.shtml");
	is $res->code, 200, "$what: a public page with SSI";
	is $res->decoded_content, "[the part]\n", '... includes a public part (the control)';
	new_log_of($h);

	# the logout: as a same-origin navigation would ask (its copy of the request's headers says so)
	$res = $b->get("$base/ssi/logout.shtml", 'Sec-Fetch-Site' => 'same-origin');
	is $res->code, 200, "$what: a public page that includes $base/logout";
	is $res->decoded_content, "[$ERROR]\n", '... gets the include refused';
	my $log = new_log_of($h);
	like $log, qr{unable to include "/logout" in parsed file \S+/logout\.shtml, $refused}, "... ($refused)";
	unlike $log, qr/signed out/, '... nobody is signed out';
	is $b->get("$base$app/echo")->code, 200, '... the session is still there';

	# the callback of a login that waits in the browser (its transaction cookie)
	my $c = browser();
	my $cb = $c->to_callback("$base$app/echo");
	ok $cb, "$what: a login waits at the callback";
	my $tokens = counter('POST /oauth/token');
	my $query = URI->new($cb)->query;
	$res = $c->get("$base/ssi/callback.shtml?$query");
	is $res->decoded_content, "$query\[$ERROR]\n",
		'... a public page that includes the callback with its code and state: refused';
	# (mod_include logs the directive as written, before its variables are put in)
	like new_log_of($h), qr{unable to include "/callback\?\$\{QUERY_STRING\}" in parsed file \S+/callback\.shtml, $refused},
		"... ($refused)";
	is counter('POST /oauth/token'), $tokens, '... no code was exchanged at the tenant';
	$res = $c->visit($cb);
	is $res->code, 200, '... the login then completes at the callback (its state and code unused)';
	is json_of($res)->{REMOTE_USER}, ALICE, '... signed in';

	# the login link
	$res = browser()->get("$base/ssi/login.shtml");
	is $res->decoded_content, "[$ERROR]\n", "$what: a public page that includes the login link: refused";
	$log = new_log_of($h);
	like $log, qr{unable to include "/login\?returnTo=[^"]+" in parsed file \S+/login\.shtml, $refused}, "... ($refused)";
	unlike $log, qr/login started/, '... no login is started';
}

# the paths in the protected part of the site (app_site: everything under AuthType Auth0): check_authn's 403
my ($h, $base) = app_site_start("Auth0LoginPath /login\nAuth0TrustForwardedHeaders On", server => $INCLUDE,
	after => $SSI);
own_paths_ok($h, $base, '', 'paths in a protected location', 'subrequest setup returned 403');

# a sub-request that the module answers with one of its pages (here: plain http, as a trusted proxy says,
# which the request's copied headers carry into it): its status goes to the including page, never the page
{
	my $res = browser()->get("$base/ssi/page-of-app.shtml", 'X-Forwarded-Proto' => 'http');
	is $res->code, 200, 'a public page that includes a protected one, over plain http (a trusted proxy says)';
	is $res->decoded_content, "[$ERROR]\n", '... gets the include refused, and nothing of the module\'s page';
	like new_log_of($h), qr{unable to include "/echo" in parsed file \S+/page-of-app\.shtml, subrequest setup returned 403},
		'... whose status the include got';
}
httpd_stop($h);

# the paths outside any protected location: the handler, which serves them for the browser's requests,
# declines a sub-request, and httpd finds no file there
($h, $base) = app_site_start("Auth0LoginPath /login", server => $INCLUDE, root => 'Require all granted',
	after => "$SSI<Location /app/>\n    AuthType Auth0\n    Require valid-user\n</Location>\n");
own_paths_ok($h, $base, '/app', 'paths outside any protected location', 'subrequest returned 404');
httpd_stop($h);

done_testing();
