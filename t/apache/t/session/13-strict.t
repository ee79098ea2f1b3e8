# Auth0CookieSameSite Strict: a redirect chain that began on the tenant would not carry the session
# cookie, so the callback moves on with a same-site page instead of a redirect.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
use Test::More;

reset_tenant();
autologin('alice@example.com');
my $base = url('SESSION_STRICT', '');
my $b    = browser();
my $cb   = $b->to_callback("$base/echo?x=1");
my $res  = $b->get($cb);
is $res->code, 200, 'the callback answers with a page';
like $res->content, qr{<meta http-equiv="refresh" content="0;url=/echo\?x=1">}, '... that moves on to the original URL';
like $res->content, qr{<a [^>]*href="/echo\?x=1"}, '... with a link for browsers without refresh';
is cookie_attrs($res, '__Host-auth0_session')->{samesite}, 'Strict', 'the session cookie is SameSite=Strict';
is json_of($b->get("$base/echo?x=1"))->{REMOTE_USER}, ALICE, 'the session works';

done_testing();
