# Fault matrix: pressure on the shared cache. shmcb files each entry in the subcache that the first byte of
# its id selects; with ids that began with a namespace letter, every session went to one subcache (of 8
# here, of 64 in the default cache) and the oldest sessions, those in use, were evicted once it filled.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
use Auth0Test::Faults;
use Test::More;

reset_tenant();
autologin('alice@example.com');

matrix_case('cache.pressure', sub {
	my $port = free_port();
	my $h = own_httpd(ports => {$port => 'cache'}, cache => 'shmcb:' . t_dir() . "/logs/faults-small-shmcb-$$(131072)");
	my $base = "https://127.0.0.1:$port";
	my $old = signed_in("$base/echo");
	my $ok = 0;
	for my $n (1 .. 16) {
		$ok++ if user_of(browser()->visit("$base/echo?n=$n")) eq ALICE;
	}
	is $ok, 16, '16 more logins, each with its session in the cache';
	my $res = $old->get("$base/echo");
	is user_of($res), ALICE, 'the first session, still in use, is kept';
	my $log = do { open my $fh, '<', "$h->{dir}/error_log"; local $/; <$fh> } // '';
	unlike $log, qr/session ended/, 'no session ended';
	observe("first session: " . $res->code . " after $ok logins");
	httpd_stop($h);
});

done_testing();
