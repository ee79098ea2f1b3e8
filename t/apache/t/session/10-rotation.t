# Secret rotation: Auth0SessionSecret NEW OLD seals with NEW and opens both; once OLD is removed, what
# it sealed no longer opens (log in again). The three sites share the application and cookie name.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
use Test::More;

reset_tenant();
autologin('alice@example.com');
my $old  = url('SESSION_ROT_OLD', '');
my $both = url('SESSION_ROT_BOTH', '');
my $new  = url('SESSION_ROT_NEW', '');

my $b = browser();
is $b->visit("$old/echo")->code, 200, 'signed in with the old secret';
is json_of($b->get("$both/echo"))->{REMOTE_USER}, ALICE, 'after adding a new first secret, the session still opens';
is $b->get("$new/echo")->code, 302, 'once the old secret is removed: log in again';

$b = browser();
is $b->visit("$both/echo")->code, 200, 'signed in with [new, old]';
is json_of($b->get("$new/echo"))->{REMOTE_USER}, ALICE, '... the session was sealed with the new secret';
is $b->get("$old/echo")->code, 302, '... which the old one alone cannot open';

# a login started before the rotation completes after it (transaction cookies rotate too)
$b = browser();
my $cb = $b->to_callback("$old/echo");
(my $cb_both = $cb) =~ s/:\d+\/callback/':' . port('SESSION_ROT_BOTH') . '\/callback'/e;
my $res = $b->get($cb_both);
is $res->code, 302, 'a login started with the old secret completes with [new, old]';
is json_of($b->get("$both/echo"))->{REMOTE_USER}, ALICE, '... signed in';
$b  = browser();
$cb = $b->to_callback("$old/echo");
(my $cb_new = $cb) =~ s/:\d+\/callback/':' . port('SESSION_ROT_NEW') . '\/callback'/e;
is $b->get($cb_new)->code, 400, 'but not once the old secret is gone (sign in again)';

done_testing();
