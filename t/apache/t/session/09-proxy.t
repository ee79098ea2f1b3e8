# Behind ProxyPass /: the callback and logout paths are served by mod_auth0, never proxied, whether they
# lie inside a protected location (check_authn) or outside (the handler that runs before mod_proxy);
# the backend gets the identity headers and never a client's.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
use Test::More;

reset_tenant();
autologin('alice@example.com');

for my $site (['SESSION_PROXY', '/page', 'everything protected'], ['SESSION_PROXY2', '/app/page', 'only /app protected']) {
	my ($name, $path, $what) = @$site;
	my $base = url($name, '');
	my $b    = browser();
	my $res  = $b->visit("$base$path", headers => {'X-Auth0-Email' => 'mallory@example.com'});
	is $res->code, 200, "$what: the login completes through the proxy";
	my $env = json_of($res);
	is $env->{REQUEST_URI}, $path, '... the backend serves the page';
	is $env->{HTTP_X_AUTH0_EMAIL}, 'alice@example.com', '... and gets the identity as headers';
	my $cb = $b->callback;
	is $cb->code, 302, '... the callback was answered by mod_auth0';
	unlike $cb->content, qr/REQUEST_URI/, '... not by the backend';
	$res = $b->get("$base$path", 'X-Auth0-Email' => 'mallory@example.com', 'X-AUTH0_sub' => 'x');
	is json_of($res)->{HTTP_X_AUTH0_EMAIL}, 'alice@example.com', '... spoofed identity headers are replaced';
	ok !exists json_of($res)->{HTTP_X_AUTH0_SUB} || json_of($res)->{HTTP_X_AUTH0_SUB} eq ALICE, '... or removed';
	$res = $b->get("$base/callback");
	is $res->code, 302, '... a bare /callback is not proxied';
	unlike $res->content, qr/REQUEST_URI/, '... (mod_auth0 answers)';
	$res = $b->get("$base/logout", 'Sec-Fetch-Site' => 'same-origin');
	is $res->code, 302, '... /logout is not proxied';
	like $res->header('Location'), qr{/v2/logout}, '... it logs out';
	$res = browser()->get("$base/callback?code=x&state=y");
	is $res->code, 400, '... a stale callback gets the module\'s page';
	unlike $res->content, qr/REQUEST_URI/, '... never the backend';
}
my $res = browser()->get(url('SESSION_PROXY2', '/elsewhere'));
is json_of($res)->{REQUEST_URI}, '/elsewhere', 'unprotected paths are proxied as usual';

# ---- the module's cookies stay here (Auth0StripCookies, default on); the site's own go on -------------------
{
	my $base = url('SESSION_PROXY2', '');
	my $b    = browser();
	$b->to_callback("$base/app/other");    # a login left pending in another tab: its transaction cookie
	$b->visit("$base/app/page");
	my @txn = $b->cookie_names(qr/auth0_txn/);
	ok $b->cookie('__Host-auth0_session') && @txn, 'a session and a pending login';
	$b->set_cookie('theme', 'dark');
	$b->set_cookie('cart', 'a=1');
	my $env = json_of($b->get("$base/app/page"));
	my $sent = $env->{HTTP_COOKIE} // '';
	unlike $sent, qr/auth0_session/, 'the proxied backend does not get the session cookie';
	unlike $sent, qr/auth0_txn/, '... nor the login transaction cookies';
	like $sent, qr/(?:^|; )theme=dark(?:;|$)/, '... and gets the site\'s own cookies';
	like $sent, qr/(?:^|; )cart=a=1(?:;|$)/, '... as they were written';
	like json_of($b->get("$base/app/keep/page"))->{HTTP_COOKIE} // '', qr/auth0_session/,
		'Auth0StripCookies Off passes them on';
	# separators as a client may write them: bare ";" (the rebuilt header is longer than the one sent),
	# pairs without "=", a "," inside a value; on an open, proxied path
	my $raw = join ';', 'a=1', 'b=2', ('x') x 40, '__Host-auth0_session=zzz', '__Host-auth0_session.0=y', 'c=3,4', 'd';
	my $got = json_of(browser()->get("$base/elsewhere", Cookie => $raw))->{HTTP_COOKIE} // '';
	is $got, join('; ', 'a=1', 'b=2', ('x') x 40, 'c=3,4', 'd'), 'a Cookie header with bare ";": rebuilt, ours removed';
	$b = browser();
	$b->visit(url('SESSION', '/echo'));
	$b->set_cookie('theme', 'dark');
	$env = json_of($b->get(url('SESSION', '/echo')));
	unlike $env->{HTTP_COOKIE} // '', qr/auth0_session/, 'a CGI does not get the session cookie either';
	like $env->{HTTP_COOKIE} // '', qr/theme=dark/, '... but the site\'s own';
	is $env->{AUTH0_CLAIM_email}, 'alice@example.com', '... and is signed in all the same';
}

done_testing();
