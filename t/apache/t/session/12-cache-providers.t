# Auth0Cache with other socache providers, each in an httpd of its own (Auth0Cache is server-wide):
# redis and memcache (Debian's redis-server and memcached, started here on free ports) and a small shmcb
# that refuses large sessions, which then fall back to the cookie store.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
use Test::More;
use Digest::SHA qw(sha256_hex);
use IO::Select;
use IO::Socket::INET;
use LWP::UserAgent;
use POSIX ();
use Time::HiRes qw(time);
use URI::Escape qw(uri_unescape);

reset_tenant();
autologin('alice@example.com');
my $t = t_dir();

sub site {
	my ($port, $cache, $more) = @_;
	return app_site(port => $port, server => "Auth0Cache $cache\nLimitRequestFieldSize 65536\n" . ($more // ''),
	                vhost => 'Auth0PreservePost On');
}

# One httpd process (of $threads threads under event, 8 when not given), so that every request finds the
# connections that the ones before it left.
sub one_process {
	my ($threads) = @_;
	$threads //= 8;
	return <<"EOC";
<IfModule mpm_event_module>
    StartServers 1
    ServerLimit 1
    ThreadsPerChild $threads
    MaxRequestWorkers $threads
</IfModule>
<IfModule mpm_prefork_module>
    StartServers 1
    MinSpareServers 1
    MaxSpareServers 1
    ServerLimit 1
    MaxRequestWorkers 1
</IfModule>
EOC
}
my $ONE_PROCESS = one_process();

# An httpd of its own with Auth0Cache $cache (PORT in it is the provider's port): (handle, base URL).
# With $refused: (undef, what httpd said) when it does not start, as it should not. $more: more server
# configuration.
sub provider_site {
	my ($cache, $provider_port, $refused, $more) = @_;
	my $port = free_port();
	(my $named = $cache) =~ s/PORT/$provider_port/;
	my ($h, $out) = httpd_start(site($port, $named, $more));
	if ($refused) {
		httpd_stop($h) if $h;
		return (undef, $out) unless $h;
		return ($h, '');
	}
	ok $h, "httpd starts with Auth0Cache $cache" or diag $out;
	return ($h, "https://127.0.0.1:$port");
}

# The sockets of $h's processes connected to 127.0.0.1:$port: ({pid, fd, cloexec}, ...), from /proc.
sub sockets_to {
	my ($h, $port) = @_;
	my %ours;
	for my $table ('/proc/net/tcp', '/proc/net/tcp6') {
		open my $fh, '<', $table or next;
		<$fh>;
		while (<$fh>) {
			my @f = split;
			$ours{$f[9]} = 1 if hex((split /:/, $f[2])[-1]) == $port;
		}
	}
	my @found;
	for my $pid ($h->{pid}, map { m{^/proc/(\d+)/stat$} ? $1 : () } glob '/proc/[0-9]*/stat') {
		next unless $pid == $h->{pid} || ((Auth0Test::_read("/proc/$pid/stat") // '') =~ /^\d+ \(.*?\) \S (\d+)/ && $1 == $h->{pid});
		opendir my $dir, "/proc/$pid/fd" or next;
		for my $fd (grep { /^\d+$/ } readdir $dir) {
			my $link = readlink("/proc/$pid/fd/$fd") // next;
			next unless $link =~ /^socket:\[(\d+)\]$/ && $ours{$1};
			my ($flags) = (Auth0Test::_read("/proc/$pid/fdinfo/$fd") // '') =~ /^flags:\s*(\d+)/m;
			push @found, {pid => $pid, fd => $fd, cloexec => (oct($flags // 0) & 02000000) ? 1 : 0};
		}
	}
	return @found;
}


# ---- redis ------------------------------------------------------------------------------------------
SKIP: {
	my $redis = eval { redis_start() };
	skip "redis-server is not available: $@", 30 unless $redis;
	my ($h, $base) = provider_site('redis:127.0.0.1:PORT', $redis->{port});
	skip 'no httpd', 29 unless $h;
	my $b = browser();
	my $res = $b->visit("$base/echo");
	is json_of($res)->{REMOTE_USER}, ALICE, 'a login with sessions in redis';
	like $b->cookie('__Host-auth0_session') // '', qr/^s\./, '... the cookie holds an id';
	my ($keys) = (Auth0Test::redis_command($redis, 'DBSIZE') // '') =~ /^:(\d+)/;
	cmp_ok $keys // 0, '>=', 2, "... redis holds the session and the used state ($keys keys)";
	is json_of($b->get("$base/echo"))->{REMOTE_USER}, ALICE, '... and serves the next request';
	$res = $b->get("$base/logout", 'Sec-Fetch-Site' => 'same-origin');
	is $res->code, 302, 'logout';
	my ($after) = (Auth0Test::redis_command($redis, 'DBSIZE') // '') =~ /^:(\d+)/;
	is $after, $keys - 1, '... removes the session from redis';
	unlike log_of($h), qr/\[auth0:(error|crit)/, 'no error was logged';

	# a form kept for a login, that the cache lost before the callback: the login lands on the page by GET
	my $poster = browser();
	$res = $poster->request(POST => "$base/echo", Origin => $base, content => 'note=hello');
	is $res->code, 302, 'a form posted without a session is kept in redis for the login';
	Auth0Test::redis_command($redis, 'FLUSHALL');
	$res = $poster->visit($res->header('Location'));
	is json_of($res)->{REMOTE_USER}, ALICE, '... lost from the cache, the login still completes';
	is $res->request->method . ' ' . $res->request->uri->path, 'GET /echo', '... and lands on the page by GET';
	like log_of($h), qr/before the login is no longer in the cache/, '... saying why';
	# a kept form is in the cache until its login's callback takes it, once (mod_socache_redis names an entry
	# by the instance's namespace and the id in hex: "p:" is 703a)
	$poster = browser();
	$res = $poster->request(POST => "$base/echo", Origin => $base, content => 'note=once');
	is((Auth0Test::redis_command($redis, 'KEYS', 'mod_auth0:703a*') // ''), '*1', 'a kept form waits in redis');
	$res = $poster->visit($res->header('Location'));
	like $res->decoded_content, qr/name="note" value="once"/, '... the callback posts it again';
	is((Auth0Test::redis_command($redis, 'KEYS', 'mod_auth0:703a*') // ''), '*0', '... and it is gone from redis');
	# forms posted by a script that never logs in: each host keeps at most 1 MiB of them per login timeout,
	# then answers 401 as without Auth0PreservePost (sessions are not pushed out of the cache)
	my $big = 'note=' . ('x' x 16000);
	my ($kept, $first_refused) = (0, undef);
	for my $i (1 .. 80) {
		my $code = browser()->request(POST => "$base/echo", Origin => $base, content => $big)->code;
		if ($code == 302) { $kept++ } else { $first_refused = $code; last }
	}
	ok $kept >= 60 && $kept <= 65, "a script's forms are kept up to the budget ($kept of 16 KB)";
	is $first_refused, 401, '... then refused with 401';
	like log_of($h), qr/keeps at most 1048576 bytes of forms \(512 for each, beside its own\) per 900 s/,
		'... saying why';
	is json_of($poster->get("$base/echo"))->{REMOTE_USER}, ALICE, '... and sessions are still served';

	# the cache fails: a login cannot record its state, so it is refused (fail closed), not replayable;
	# a session cannot be read, which is not a logout
	my $signed = browser();
	$signed->visit("$base/echo");
	$b = browser();
	my $cb = $b->to_callback("$base/echo");
	redis_stop($redis);
	$res = $signed->get("$base/echo");
	is $res->code, 503, 'with redis down, a signed-in browser gets 503';
	ok !grep(/^__Host-auth0_session=;/, $res->header('Set-Cookie')), '... and keeps its session cookie';
	$res = $signed->get("$base/logout", 'Sec-Fetch-Site' => 'same-origin');
	is $res->code, 503, 'with redis down, a logout answers 503: it cannot end the session there';
	ok !grep(/^__Host-auth0_session=;/, $res->header('Set-Cookie')), '... and does not pretend to (the cookie stays)';
	$res = $b->get($cb);
	is $res->code, 503, 'with redis down, a callback is refused (503)';
	like $res->content, qr/cannot complete sign-ins right now/, '... with a page';
	like log_of($h), qr/cannot record the login state; login refused \(fail closed\)/, '... and a log line';
	ok !$b->cookie('__Host-auth0_session'), '... and no session';
	httpd_stop($h);
}

# ---- redis-auth: a redis that asks for a user and a password, a database of its own ------------------------
SKIP: {
	my %auth = (user => 'mod_auth0', password => 's3cret/p@ss');
	my $redis = eval { redis_start(%auth) };
	skip "redis-server is not available: $@", 61 unless $redis;
	my $db3 = {%$redis, db => 3};
	my ($h, $base) = provider_site('redis-auth:redis://mod_auth0:s3cret%2Fp%40ss@127.0.0.1:PORT/3?timeout=1.5',
	                               $redis->{port}, 0, $ONE_PROCESS);
	skip 'no httpd', 60 unless $h;
	my $b = browser();
	is json_of($b->visit("$base/echo"))->{REMOTE_USER}, ALICE, 'redis-auth: a login with sessions in that redis';
	like $b->cookie('__Host-auth0_session') // '', qr/^s\./, '... the cookie holds an id';
	my ($keys) = (Auth0Test::redis_command($db3, 'DBSIZE') // '') =~ /^:(\d+)/;
	cmp_ok $keys // 0, '>=', 2, "... its database 3 holds the session and the used state ($keys keys)";
	is Auth0Test::redis_command($redis, 'DBSIZE'), ':0', '... and database 0 nothing';
	is json_of($b->get("$base/echo"))->{REMOTE_USER}, ALICE, '... and serves the next request';
	my @sockets = sockets_to($h, $redis->{port});
	ok @sockets, 'httpd keeps connections to redis (' . scalar(@sockets) . ')';
	is_deeply [grep { !$_->{cloexec} } @sockets], [], '... each closed on exec (a CGI never inherits one)';
	is $b->get("$base/logout", 'Sec-Fetch-Site' => 'same-origin')->code, 302, 'logout';
	my ($after) = (Auth0Test::redis_command($db3, 'DBSIZE') // '') =~ /^:(\d+)/;
	is $after, $keys - 1, '... removes the session from redis';
	unlike log_of($h), qr/\[auth0:(error|crit)|redis-auth/, 'no error was logged';

	# a callback records its state as used with one SET ... NX, atomic on the server: two hosts sharing it
	# cannot both accept the same state; one that another host recorded first is refused as a replay
	my $state_key = sub { my ($cb) = @_; 'mod_auth0:u:' . sha256_hex(uri_unescape(($cb =~ /[?&]state=([^&]+)/)[0])) };
	my $c = browser();
	my $cb = $c->to_callback("$base/echo");
	my $key = $state_key->($cb);
	my @seen = grep { /\Q"$key"\E/ } redis_monitor($redis, qr/"SET" \Q"$key"\E/, sub { $c->get($cb) });
	is scalar(@seen), 1, 'a callback touches its state\'s entry with one command';
	like $seen[0] // '', qr/\] "SET" "\Q$key\E" "[0-9a-f]{32}" "PX" "\d+" "NX"$/,
		'... SET NX of a random token (no read before it)';
	like $c->cookie('__Host-auth0_session') // '', qr/^s\./, '... and signs in';
	my $d = browser();
	$cb = $d->to_callback("$base/echo");
	is Auth0Test::redis_command($db3, 'SET', $state_key->($cb), '1', 'PX', '60000'), '+OK',
		'a login\'s state recorded by another host before its callback comes here';
	my $mark = length log_of($h);
	is $d->get($cb)->code, 400, '... the callback is refused';
	like substr(log_of($h), $mark), qr/used before|replay/, '... as a replay';
	ok !$d->cookie('__Host-auth0_session'), '... without a session';

	# a session written back (its activity, renewed past a tenth of Auth0SessionInactivityTimeout) goes with
	# one SET ... XX, which stores only where the entry still is, in one step of the server: a logout on
	# another host sharing this redis cannot come between a read and the write and be undone by it (a GET
	# and then a SET were two steps)
	{
		my ($w, $wbase) = provider_site('redis-auth:redis://mod_auth0:s3cret%2Fp%40ss@127.0.0.1:PORT/3',
		                                $redis->{port}, 0, "Auth0SessionInactivityTimeout 10");
		my $e = browser();
		is json_of($e->visit("$wbase/echo"))->{REMOTE_USER}, ALICE, 'a session written back after a second';
		my $t0 = time;
		wait_until(4, sub { time - $t0 > 2.2 });
		my $session_set = qr/"SET" "mod_auth0:s:[0-9a-f]{64}"/;
		my @sets = grep { $_ =~ $session_set } redis_monitor($redis, $session_set, sub { $e->get("$wbase/echo") });
		like $sets[0] // '', qr/$session_set ".*" "PX" "\d+" "XX"$/, '... is written with one SET XX';
		httpd_stop($w);
	}

	# redis restarts (empty): the connections the children keep are dead; the next command on one of them
	# is made again on a new connection, so a session lost with redis means a new login, not a 503
	my @signed = map { my $s = browser(); $s->visit("$base/echo"); $s } 1 .. 3;
	is_deeply [map { $_->get("$base/echo")->code } @signed], [200, 200, 200], 'three browsers signed in';
	# requests at the same time leave several connections kept in the process (under prefork, a process
	# serves one request at a time, and keeps one). Redis holds every command for 0.8 s (CLIENT PAUSE, within
	# the 1.5 s timeout), so that requests arriving meanwhile each wait on a connection of their own however
	# the machine schedules them; tried again if they came too late.
	my $kept = 0;
	my $threaded = ($ENV{AUTH0_TEST_MPM} // 'event') ne 'prefork';
	for my $try (1 .. ($threaded ? 5 : 1)) {
		Auth0Test::redis_command($redis, 'CLIENT', 'PAUSE', 800) if $threaded;
		my @kids = map {
			my $browser = $_;
			my $pid = fork // die "fork: $!";
			if (!$pid) { $browser->get("$base/echo") for 1 .. 3; POSIX::_exit(0) }
			$pid
		} @signed;
		waitpid $_, 0 for @kids;
		$kept = () = sockets_to($h, $redis->{port});
		last if $kept >= 2;
	}
	cmp_ok $kept, '>=', $threaded ? 2 : 1, "requests at the same time leave connections kept ($kept)";
	redis_stop($redis);
	$redis = redis_start(%auth, port => $redis->{port});
	$mark = length log_of($h);
	is_deeply [map { $_->get("$base/echo")->code } @signed], [302, 302, 302],
		'redis restarted (empty): their sessions are gone, to the login (no 503)';
	unlike substr(log_of($h), $mark), qr/cannot read a session from the cache|redis-auth: GET/,
		'... the commands went through new connections';

	# redis stops answering (SIGSTOP: connections are still accepted): a request waits for the timeout
	# (1.5 s), once, then answers 503; when redis answers again, so does the site
	my $late = browser();
	is json_of($late->visit("$base/echo"))->{REMOTE_USER}, ALICE, 'signed in again';
	kill 'STOP', $redis->{pid};
	$mark = length log_of($h);
	my $started = time;
	is $late->get("$base/echo")->code, 503, 'redis not answering: 503';
	cmp_ok time - $started, '<', 10, '... within the timeout, not a hang';
	my $said = substr(log_of($h), $mark);
	like $said, qr/redis-auth: GET of an entry at \S+ failed: timed out/,
		'... on the connection the request before left';
	unlike $said, qr/redis-auth: .*cannot connect/, '... and no new connection waited through the timeout again';
	kill 'CONT', $redis->{pid};
	is json_of($late->get("$base/echo"))->{REMOTE_USER}, ALICE, '... and when redis answers again, so does the site';

	# redis down: requests that need it answer 503, at once (the connection is refused)
	$b = browser();
	$b->visit("$base/echo");
	redis_stop($redis);
	my $res = $b->get("$base/echo");
	is $res->code, 503, 'redis down: a signed-in browser gets 503';
	like substr(log_of($h), $mark), qr/redis-auth: GET of an entry at redis:\/\/127\.0\.0\.1:\d+\/3 failed: cannot connect: /,
		'... and the log says why';
	unlike log_of($h), qr/s3cret/, 'the password is never logged';
	httpd_stop($h);

	# a wrong password stops httpd at start, with a message naming Auth0Cache (and not the password)
	$redis = redis_start(%auth, port => $redis->{port});
	my ($bad, $log) = provider_site('redis-auth:redis://mod_auth0:not-the-Secret-42@127.0.0.1:PORT/3', $redis->{port}, 1);
	ok !$bad, 'a wrong password stops httpd';
	like $log, qr/Auth0Cache: redis-auth: redis:\/\/127\.0\.0\.1:\d+\/3 refused: AUTH: WRONGPASS/, '... saying so';
	unlike $log, qr/not-the-Secret-42/, '... without the password';
	# and `httpd -t` (apachectl configtest, run before a reload) refuses it too: it asks the server as well
	my ($st, $out) = httpd_check(site(free_port(), "redis-auth:redis://mod_auth0:not-the-Secret-42\@127.0.0.1:$redis->{port}/3"));
	isnt $st, 0, 'httpd -t refuses a wrong redis-auth password';
	like $out, qr/Auth0Cache: redis-auth: redis:\/\/127\.0\.0\.1:\d+\/3 refused: AUTH: WRONGPASS/, '... saying so';
	($st, $out) = httpd_check(site(free_port(), "redis-auth:redis://127.0.0.1:$redis->{port}"));
	isnt $st, 0, '... and a missing one (NOAUTH)';
	like $out, qr/Auth0Cache: redis-auth: redis:\/\/127\.0\.0\.1:\d+\/0 refused: PING: NOAUTH/, '... saying so';
	# a server that cannot be reached is no configuration error: a reload need not wait for it
	my $nobody = free_port();
	($st, $out) = httpd_check(site(free_port(), "redis-auth:redis://127.0.0.1:$nobody"));
	is $st, 0, 'httpd -t passes a redis-auth server that cannot be reached' or diag $out;
	like $out, qr/Auth0Cache: redis-auth: redis:\/\/127\.0\.0\.1:$nobody\/0 cannot serve now \(/, '... with a warning';
	($st, $out) = httpd_check(site(free_port(), "redis-auth:redis://mod_auth0:s3cret%2Fp%40ss\@127.0.0.1:$redis->{port}/3"));
	is $st, 0, '... and passes the right one' or diag $out;
	# one that wants a password, configured without one (and database 0: no command was sent at start, and
	# httpd started to answer every login 503): PING's NOAUTH stops httpd at start
	my ($unsigned, $said_so) = provider_site('redis-auth:redis://127.0.0.1:PORT', $redis->{port}, 1);
	ok !$unsigned, 'no password for a redis that wants one stops httpd';
	like $said_so, qr/Auth0Cache: redis-auth: redis:\/\/127\.0\.0\.1:\d+\/0 refused: PING: NOAUTH/, '... saying so';
	# the password from httpd's environment or a file (password=env:NAME, password=file:PATH): not written in
	# the configuration, nor shown by mod_info as httpd's ${VARIABLE} in the URL would be
	local $ENV{A0M_TEST_REDIS_PASSWORD} = $auth{password};
	my $pwfile = t_dir() . "/logs/redis-password-$$";
	open my $pw, '>', $pwfile or die "$pwfile: $!";
	print $pw "$auth{password}\n";
	close $pw;
	for my $from ('env:A0M_TEST_REDIS_PASSWORD', "file:$pwfile") {
		my ($ph, $pbase) = provider_site("redis-auth:redis://mod_auth0\@127.0.0.1:PORT/3?password=$from", $redis->{port});
		is json_of(browser()->visit("$pbase/echo"))->{REMOTE_USER}, ALICE, "... a login with the password=$from";
		httpd_stop($ph) if $ph;
	}
	unlink $pwfile;
	# a host name (localhost, from /etc/hosts), looked up within the timeout: at start by a process of its own
	# (a lookup with getaddrinfo_a in httpd's parent would leave glibc counting a helper thread that the
	# children it forks next do not have, and their lookups would never be made), in the children with
	# getaddrinfo_a
	my ($named, $nbase) = provider_site('redis-auth:redis://mod_auth0:s3cret%2Fp%40ss@localhost:PORT/3', $redis->{port});
	is json_of(browser()->visit("$nbase/echo"))->{REMOTE_USER}, ALICE, 'a login with the server named by a host name';
	unlike $named ? log_of($named) : '', qr/redis-auth/, '... and nothing logged about it';
	httpd_stop($named) if $named;
	redis_stop($redis);

	# a server that repeats the command in its error (AUTH renamed away: "unknown command 'AUTH', with args
	# beginning with: ...") never gets the password into the log
	$redis = redis_start(args => ['--rename-command', 'AUTH', '']);
	my ($odd) = provider_site('redis-auth:redis://:Echoed-Secret-7@127.0.0.1:PORT', $redis->{port});
	my $text = $odd ? log_of($odd) : '';
	like $text, qr/redis-auth: \S+ cannot serve now \(AUTH: ERR \(the rest of the server's reply is not shown/,
		'a server that repeats the password in its error: a warning at start, with the error code only';
	unlike $text, qr/Echoed-Secret-7/, '... that does not';
	httpd_stop($odd) if $odd;
	# a password longer than what Redis repeats (128 characters in all): the reply holds only its start
	my $long = 'Long-Secret-' . ('x' x 150);
	($odd) = provider_site("redis-auth:redis://:$long\@127.0.0.1:PORT", $redis->{port});
	$text = $odd ? log_of($odd) : '';
	like $text, qr/AUTH: ERR \(the rest of the server's reply is not shown/,
		'a long password that the server repeats cut short: the error code only';
	unlike $text, qr/Long-Secret/, '... and no part of it is logged';
	httpd_stop($odd) if $odd;
	# a user name long enough that only the password's first characters fit in the 128 that Redis repeats
	# (a check for the password's start in the reply would have missed them)
	($odd) = provider_site('redis-auth:redis://' . ('u' x 120) . ':Qz9-Secret@127.0.0.1:PORT', $redis->{port});
	$text = $odd ? log_of($odd) : '';
	like $text, qr/AUTH: ERR \(the rest of the server's reply is not shown/, 'a long user name: the error code only';
	unlike $text, qr/Qz9/, '... and not the start of the password';
	httpd_stop($odd) if $odd;
	redis_stop($redis);
}
# redis-auth's URL is checked as httpd reads it (httpd -t)
{
	for my $case (['rediss://127.0.0.1:6379'       => qr/TLS \(rediss:\/\/\) needs hiredis 1\.0/],
	              ['redis://127.0.0.1/abc'         => qr/the path is the database number/],
	              ['redis://user@127.0.0.1'        => qr/give the password after a colon/],
	              ['redis://:pw@127.0.0.1?password=env:HOME' => qr/give the password once/],
	              ['redis://127.0.0.1?password=sekrit' => qr/password= takes env:NAME or file:PATH/],
	              ['redis://127.0.0.1?password=env:A0M_NO_SUCH_VARIABLE' => qr/environment variable A0M_NO_SUCH_VARIABLE is not set/],
	              ['redis://127.0.0.1?password=file:/nonexistent/pw' => qr/cannot read secret file \/nonexistent\/pw/],
	              ['redis://127.0.0.1?timeout=1&pasword=env:HOME' => qr/the options are timeout=SECONDS and password=/],
	              ['redis://127.0.0.1?timeout=0x10' => qr/timeout= takes seconds/],
	              ['http://127.0.0.1'              => qr/the URL must begin with redis:\/\//],
	              ['redis://:pw@127.0.0.1?timeout=0' => qr/timeout= takes seconds/],
	              ['redis://:%zz@127.0.0.1'        => qr/not validly percent-encoded/],
	              ['redis://127.0.0.1:70000'       => qr/the port must be a number from 1 to 65535/],
	              ['redis://127.0.0.1:+80'         => qr/the port must be a number from 1 to 65535/],
	              ['redis:/:sekrit@127.0.0.1'      => qr/the URL must begin with redis:\/\//]) {
		my ($st, $out) = httpd_check(site(free_port(), "redis-auth:$case->[0]"));
		isnt $st, 0, "Auth0Cache redis-auth:$case->[0] is refused";
		like $out, qr/Auth0Cache: redis-auth: .*$case->[1]/, '... saying why';
		unlike $out, qr/sekrit/, '... never repeating a password';
	}
}

# ---- redis-auth: a SET NX that the server carried out before its connection closed -------------------------
# A Redis of this test's (a few lines of Perl, so that it can fail at the worst moment): it serves GET, SET
# (PX, NX, XX) and DEL, and on the second SET NX it is sent, it stores the entry and then closes the connection
# without answering, as a server killed (or a proxy restarted) between the write and the reply would. The
# module sends the command again on a new connection, which finds the key: a login must still complete, as
# the entry is its own first try, and not be refused as a replay of its own state.
# After a SET of the key another-host-deletes-before-the-next-set, the next SET of a session deletes that
# session first, as a logout on another host that lands just before this host's write would. After a SET
# of next-session-get-dribbles, -huge or -extra, the next GET of a session is answered a byte every 0.25 s
# (40 bytes, then nothing), with a reply that announces 2 GB (and sends 128 KiB), or with its reply and
# another one that no command asked for.
sub fake_redis {
	my $listen = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 16, ReuseAddr => 1)
	  or die "fake redis: $!";
	my $events = "$t/fake-redis.$$.log";
	unlink $events;
	my $pid = fork // die "fork: $!";
	if ($pid) {
		my $port = $listen->sockport;
		close $listen;
		return {pid => $pid, port => $port, events => $events};
	}
	open my $log, '>>', $events or POSIX::_exit(1);
	$log->autoflush(1);
	my (%value, %buf, $nx, $del_before_set, $next_session_get);
	$SIG{PIPE} = 'IGNORE';
	my $sel = IO::Select->new($listen);
	my $parent = getppid;
	# until the test stops it by its PID, or is gone without doing so
	while (getppid == $parent) {
		for my $fh ($sel->can_read(1)) {
			if ($fh == $listen) {
				$sel->add($listen->accept // next);
				next;
			}
			my $n = sysread($fh, $buf{$fh}, 65536, length($buf{$fh} // ''));
			unless ($n) { $sel->remove($fh); close $fh; delete $buf{$fh}; next }
			# whole commands: *N, then N times $LEN and the bytes
			while ($buf{$fh} =~ /^\*(\d+)\r\n/) {
				my ($count, $at, @args) = ($1, length($&));
				for (1 .. $count) {
					last unless substr($buf{$fh}, $at) =~ /^\$(\d+)\r\n/;
					my ($len, $head) = ($1, length($&));
					last if length($buf{$fh}) < $at + $head + $len + 2;
					push @args, substr($buf{$fh}, $at + $head, $len);
					$at += $head + $len + 2;
				}
				last if @args < $count;
				substr($buf{$fh}, 0, $at) = '';
				my ($cmd, $key, $val, @rest) = @args;
				$cmd = uc $cmd;
				my $reply = '+OK';
				if ($cmd eq 'GET' && $next_session_get && $key =~ /^mod_auth0:s:/) {
					my $how = $next_session_get;
					undef $next_session_get;
					my $v = $value{$key} // '';
					print $log "GET $key: $how\n";
					if ($how eq 'dribbles') {    # a byte every 0.25 s, 40 at most, then nothing more
						my $whole = '$' . length($v) . "\r\n$v\r\n";
						for my $i (0 .. 39) {
							last if $i >= length $whole;
							syswrite($fh, substr($whole, $i, 1)) or last;
							select(undef, undef, undef, 0.25);
						}
					} elsif ($how eq 'huge') {    # announces 2 GB and sends 128 KiB of it
						syswrite $fh, "\$2000000000\r\n";
						for (1 .. 8) { syswrite($fh, 'x' x 16384) or last }
					} else {                      # the reply, and one more that no command asked for
						syswrite $fh, '$' . length($v) . "\r\n$v\r\n\$-1\r\n";
					}
					next;
				} elsif ($cmd eq 'GET') {
					$reply = exists $value{$key} ? "\$" . length($value{$key}) . "\r\n$value{$key}" : '$-1';
				} elsif ($cmd eq 'SET' && $key eq 'another-host-deletes-before-the-next-set') {
					$del_before_set = 1;
				} elsif ($cmd eq 'SET' && $key =~ /^next-session-get-(dribbles|huge|extra)$/) {
					$next_session_get = $1;
				} elsif ($cmd eq 'SET') {
					my $is_nx = grep { uc eq 'NX' } @rest;
					my $is_xx = grep { uc eq 'XX' } @rest;
					if ($del_before_set && $key =~ /^mod_auth0:s:/) {
						$del_before_set = 0;
						delete $value{$key};
						print $log "another host deleted $key\n";
					}
					if ($is_nx && exists $value{$key} || $is_xx && !exists $value{$key}) {
						$reply = '$-1';
					} else {
						$value{$key} = $val;
						if ($is_nx && ++$nx == 2) {
							print $log "stored $key, then closed without answering\n";
							$sel->remove($fh);
							close $fh;
							delete $buf{$fh};
							last;
						}
					}
				} elsif ($cmd eq 'DEL') {
					$reply = ':' . (delete $value{$key} ? 1 : 0);
				} elsif ($cmd eq 'PING') {
					$reply = '+PONG';
				}
				print $log "$cmd $key -> " . ($reply =~ s/\r\n.*//sr) . "\n" if $cmd eq 'SET' || $cmd eq 'GET';
				syswrite $fh, "$reply\r\n";
			}
		}
	}
	POSIX::_exit(0);
}
# SET key 1 on the fake redis (which reads commands in RESP only): its reply line
sub fake_redis_set {
	my ($fake, $key) = @_;
	my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $fake->{port}, Timeout => 2) or return '';
	print $s join('', "*3\r\n", map { '$' . length($_) . "\r\n$_\r\n" } 'SET', $key, '1');
	my $line = <$s> // '';
	close $s;
	return $line;
}
{
	my $fake = fake_redis();
	# one thread: the second login's SET NX goes out on the connection the first login left
	my ($h, $base) = provider_site('redis-auth:redis://127.0.0.1:PORT', $fake->{port}, 0, one_process(1));
	SKIP: {
		skip 'no httpd', 5 unless $h;
		is json_of(browser()->visit("$base/echo"))->{REMOTE_USER}, ALICE, 'a fake redis: a first login';
		my $b = browser();
		my $cb = $b->to_callback("$base/echo");
		my $res = $b->get($cb);
		is $res->code, 302, 'a SET NX that the server carried out, then closed without answering: the login completes';
		like $b->cookie('__Host-auth0_session') // '', qr/^s\./, '... with a session';
		my $events = do { open my $fh, '<', $fake->{events}; local $/; <$fh> } // '';
		like $events, qr/then closed without answering\nSET (\S+) -> \$-1\nGET \1 -> \$\d+/,
			'... after the second try found the key, and its value was this login\'s';
		unlike log_of($h), qr/used before|replay/, '... and nothing was logged as a replay';
		httpd_stop($h);
	}
	kill 'TERM', $fake->{pid};
	waitpid $fake->{pid}, 0;
	unlink $fake->{events};
}

# ---- redis-auth: replies that come slowly, that are too large, or that no command asked for -------------------
{
	my $fake = fake_redis();
	# one thread: each request finds the connection the one before it left
	my ($h, $base) = provider_site('redis-auth:redis://127.0.0.1:PORT?timeout=1', $fake->{port}, 0, one_process(1));
	SKIP: {
		skip 'no httpd', 9 unless $h;
		my $b = browser();
		is json_of($b->visit("$base/echo"))->{REMOTE_USER}, ALICE, 'a fake redis: signed in';
		# the timeout (1 s) bounds the whole command: a reply dribbled a byte at a time, each in time for a
		# timeout per read, took as many timeouts as it had bytes (minutes for a session)
		fake_redis_set($fake, 'next-session-get-dribbles');
		my $mark = length log_of($h);
		my $started = time;
		my $res = $b->get("$base/echo", Accept => 'application/json');
		my $took = time - $started;
		is $res->code, 503, 'a reply that comes a byte every 0.25 s: 503';
		cmp_ok $took, '<', 4, sprintf('... within the timeout of the whole command (%.1f s), not one per byte', $took);
		like substr(log_of($h), $mark), qr/redis-auth: GET of an entry at \S+ failed: timed out/, '... and says so';
		wait_until(12, sub { fake_redis_set($fake, 'next-session-get-huge') eq "+OK\r\n" });   # (the fake is free again)
		$mark = length log_of($h);
		is $b->get("$base/echo", Accept => 'application/json')->code, 503, 'a reply that announces 2 GB: 503';
		like substr(log_of($h), $mark), qr/redis-auth: GET of an entry at \S+ failed: a reply larger than 65600 bytes/,
			'... read no further than the largest value the module stores';
		is json_of($b->get("$base/echo"))->{REMOTE_USER}, ALICE, '... and the next request is served';
		# a reply that no command asked for, after the one that was: the next command would have read it as
		# its own (here a session read as missing: signed out)
		fake_redis_set($fake, 'next-session-get-extra');
		is json_of($b->get("$base/echo"))->{REMOTE_USER}, ALICE, 'a reply followed by another that no command asked for';
		is json_of($b->get("$base/echo"))->{REMOTE_USER}, ALICE,
			'... is not read by the next command (the connection is closed, not kept)';
		httpd_stop($h);
	}
	kill 'TERM', $fake->{pid};
	waitpid $fake->{pid}, 0;
	unlink $fake->{events};
}

# ---- redis-auth: a session signed out on another host just before this host writes it back ---------------
# The write-back (here of its activity, renewed past a tenth of Auth0SessionInactivityTimeout) stores only
# where the entry still is, in one step of the server (SET XX): the logout stays done, and the request counts
# as signed out. A read and then a write were two steps, and the write brought the session back.
{
	my $fake = fake_redis();
	my ($h, $base) = provider_site('redis-auth:redis://127.0.0.1:PORT', $fake->{port}, 0,
	                               "Auth0SessionInactivityTimeout 10");
	SKIP: {
		skip 'no httpd', 5 unless $h;
		my $b = browser();
		is json_of($b->visit("$base/echo"))->{REMOTE_USER}, ALICE, 'a fake redis: signed in';
		my $t0 = time;
		wait_until(4, sub { time - $t0 > 2.2 });
		is fake_redis_set($fake, 'another-host-deletes-before-the-next-set'), "+OK\r\n",
			'... another host signs the session out just before this host writes it back';
		my $res = $b->get("$base/echo", Accept => 'application/json');
		is $res->code, 401, '... the request counts as signed out';
		ok((grep {/^__Host-auth0_session=;.*Max-Age=0/} $res->header('Set-Cookie')), '... its cookie deleted');
		my $events = do { open my $fh, '<', $fake->{events}; local $/; <$fh> } // '';
		like $events, qr/another host deleted (\S+)\nSET \1 -> \$-1\n/, '... and the write stored nothing';
		httpd_stop($h);
	}
	kill 'TERM', $fake->{pid};
	waitpid $fake->{pid}, 0;
	unlink $fake->{events};
}

# ---- redis-auth: a server whose connections hang (its queue of connections full: the kernel drops the SYN)
# The connection is given up after the timeout: httpd starts, with a warning, and a request that needs the
# cache answers 503, neither waiting longer.
{
	my $listen = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 0) or die "listen: $!";
	my @queued;
	for (1 .. 256) {
		my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $listen->sockport, Timeout => 0.5) or last;
		push @queued, $s;
	}
	my $started = time;
	my ($h, $base) = provider_site('redis-auth:redis://127.0.0.1:PORT?timeout=1', $listen->sockport);
	cmp_ok time - $started, '<', 30, 'a server whose connections hang: httpd starts, not held up by it';
	SKIP: {
		skip 'no httpd', 3 unless $h;
		like log_of($h), qr/redis-auth: \S+ cannot serve now \(.*timed out/, '... with a warning that says why';
		$started = time;
		is browser()->visit("$base/echo")->code, 503, '... a login needs the cache: 503';
		cmp_ok time - $started, '<', 15, '... within the timeout, not a hang';
		httpd_stop($h);
	}
}

# ---- redis-auth: a host name whose lookup hangs (a name server that does not answer) -----------------------
# httpd runs in a mount namespace of its own (unshare), where /etc/resolv.conf names a name server of this
# test's on 127.53.0.N:53 that holds every query unanswered until the test tells it to answer (then
# NXDOMAIN, and every later query at once), and nsswitch.conf sends host names to DNS after /etc/hosts. The
# system's resolver would wait 30 s for it: the lookup is part of the operation's timeout (1 s), at
# `httpd -t`, at start and in a request; the 5 s without connection attempts after a failure still hold;
# and a lookup given up on that glibc ends later, while httpd runs (the queries answered), leaves the child
# able to look the name up again.
# A name server that holds each query (UDP, on $addr:53) until SIGUSR1, then answers them and every later one
# with NXDOMAIN (the query sent back as a response): {pid, addr, events}, or undef with why.
sub lazy_name_server {
	my ($sock, $addr);
	for my $n (1 .. 40) {    # another run of this test may hold one
		$addr = "127.53.0.$n";
		$sock = IO::Socket::INET->new(Proto => 'udp', LocalAddr => $addr, LocalPort => 53) and last;
	}
	return (undef, "no UDP port 53 on 127.53.0.1-40: $!") unless $sock;
	my $events = "$t/name-server.$$.log";
	unlink $events;
	my $pid = fork // die "fork: $!";
	if ($pid) {
		close $sock;
		return {pid => $pid, addr => $addr, events => $events};
	}
	open my $log, '>>', $events or POSIX::_exit(1);
	$log->autoflush(1);
	my ($answer, @held) = (0);
	$SIG{USR1} = sub { $answer = 1 };
	my $nxdomain = sub {
		my ($q) = @_;
		my $flags = unpack 'n', substr($q, 2, 2);
		# QR, the query's opcode and RD, RA, NXDOMAIN
		substr($q, 2, 2) = pack 'n', 0x8000 | ($flags & 0x7900) | 0x0080 | 3;
		return $q;
	};
	my $sel = IO::Select->new($sock);
	my $parent = getppid;
	while (getppid == $parent) {
		if ($answer && @held) {
			send($sock, $nxdomain->($_->[0]), 0, $_->[1]) for @held;
			print $log 'answered ' . scalar(@held) . "\n";
			@held = ();
		}
		next unless $sel->can_read(0.2);
		my $from = recv($sock, my $query, 512, 0);
		next unless defined $from && length $query >= 12;
		if ($answer) { send($sock, $nxdomain->($query), 0, $from); print $log "answered 1\n" }
		else { push @held, [$query, $from]; print $log "held\n" }
	}
	POSIX::_exit(0);
}
SKIP: {
	skip 'a mount namespace and a name server on port 53 need root', 19 if $> != 0;
	skip 'unshare or mount (util-linux) is not installed', 19 unless -x '/usr/bin/unshare' && -x '/usr/bin/mount';
	my ($ns, $no_ns) = lazy_name_server();
	skip "no name server: $no_ns", 19 unless $ns;
	my $dir = "$t/logs/black-hole-dns-$$";
	mkdir $dir;
	chmod 0755, $dir;    # httpd's children (User nobody) read the files
	my $namespaces = "$dir/namespaces";    # each sandbox's mount namespace, to find what is left in them
	SKIP: {
		my $write = sub {
			my ($name, $text, $mode) = @_;
			open my $fh, '>', "$dir/$name" or die "$dir/$name: $!";
			print $fh $text;
			close $fh;
			chmod $mode // 0644, "$dir/$name";
			return "$dir/$name";
		};
		my $resolv = $write->('resolv.conf', "nameserver $ns->{addr}\noptions timeout:30 attempts:1\n");
		my $nsswitch = Auth0Test::_read('/etc/nsswitch.conf');
		$nsswitch =~ s/^hosts:.*$//mg;
		$nsswitch = $write->('nsswitch.conf', "$nsswitch\nhosts: files dns\n");
		# runs a command in a mount namespace of its own, with those two files in place
		my $sandbox = $write->('sandbox', <<"EOS", 0755);
#!/bin/sh
exec /usr/bin/unshare --mount --propagation private /bin/sh -c '/usr/bin/mount --bind "\$0" /etc/resolv.conf && /usr/bin/mount --bind "\$1" /etc/nsswitch.conf && readlink /proc/self/ns/mnt >>"\$2" && shift 2 && exec "\$@"' "$resolv" "$nsswitch" "$namespaces" "\$@"
EOS
		my $seen = qx{"$sandbox" /bin/cat /etc/resolv.conf 2>&1};
		chomp $seen;
		skip "no mount namespace with another /etc/resolv.conf here: $seen", 19
			unless $seen =~ /^nameserver \Q$ns->{addr}\E$/m;
		my $name = 'redis.a0m-test.example';
		my $getent = system($sandbox, '/usr/bin/timeout', '1', '/usr/bin/getent', 'hosts', $name) >> 8;
		is $getent, 124, "in the sandbox, looking up $name hangs (getent stopped after 1 s)";
		like Auth0Test::_read($ns->{events}), qr/^held$/m, '... its queries reach the test\'s name server';

		local $ENV{AUTH0_TEST_HTTPD} = $write->('httpd', "#!/bin/sh\nexec \"$sandbox\" \"$ENV{AUTH0_TEST_HTTPD}\" \"\$@\"\n", 0755);
		my $cache = "redis-auth:redis://$name:6379?timeout=1";
		my $started = time;
		my ($st, $out) = httpd_check(site(free_port(), $cache));
		my $took = time - $started;
		is $st, 0, 'httpd -t passes a redis-auth server whose name cannot be looked up' or diag $out;
		like $out, qr/redis-auth: redis:\/\/\Q$name\E:6379\/0 cannot serve now \(looking up \Q$name\E: timed out\)/,
			'... with a warning that the lookup timed out';
		cmp_ok $took, '<', 10, sprintf('... within the timeout (%.1f s), not the resolver\'s 30 s', $took);
		# an IP address is no name: it is not looked up
		my $nobody = free_port();
		for my $host ('127.0.0.1', '[::1]') {
			$started = time;
			($st, $out) = httpd_check(site(free_port(), "redis-auth:redis://$host:$nobody?timeout=1"));
			like $out, qr/redis-auth: redis:\/\/\Q$host\E:$nobody\/0 cannot serve now \((?!looking up)[^)]+\)/,
				"an IP address ($host) is not looked up";
			cmp_ok time - $started, '<', 10, '... and is refused at once';
		}

		$started = time;
		my ($h, $base) = provider_site($cache, 0, 0, $ONE_PROCESS);
		$took = time - $started;
		cmp_ok $took, '<', 20, sprintf('httpd starts (%.1f s: two looks at the server, each within its timeout)', $took);
		skip 'no httpd', 9 unless $h;
		like log_of($h), qr/cannot serve now \(looking up \Q$name\E: timed out\)/, '... with a warning that says why';
		my $mark = length log_of($h);
		$started = time;
		is browser()->visit("$base/echo")->code, 503, 'a login needs the cache, whose name cannot be looked up: 503';
		my $failed = time;
		cmp_ok $failed - $started, '<', 10, sprintf('... within the timeout (%.1f s)', $failed - $started);
		like substr(log_of($h), $mark), qr/redis-auth: [A-Z ]+ of an entry at \S+ failed: cannot connect: looking up \Q$name\E: timed out/,
			'... the lookup in the child timed out';
		is browser()->visit("$base/echo")->code, 503, 'the next login: 503';
		like substr(log_of($h), $mark), qr/could not connect a moment ago; trying again within 5 s/,
			'... at once: no new connection is tried for 5 s';
		# the name server answers now: glibc ends the lookup given up on in httpd's child, writing into its
		# gaicb, which the module keeps for it until then
		kill 'USR1', $ns->{pid};
		ok wait_until(5, sub { Auth0Test::_read($ns->{events}) =~ /^answered/m }), 'the held queries are answered';
		# once the 5 s have passed (counted from the failure's whole second), a login looks the name up again
		# (after freeing the lookup given up on), and the name server's NXDOMAIN fails it at once
		wait_until(8, sub { time >= int($failed) + 5.05 });
		$mark = length log_of($h);
		is browser()->visit("$base/echo")->code, 503, 'after 5 s, a login looks the name up again: 503';
		like substr(log_of($h), $mark), qr/cannot connect: looking up \Q$name\E: Name or service not known/,
			'... the name server\'s answer (NXDOMAIN)';
		httpd_stop($h);
	}
	# what the sandboxes started and the test could not stop (an httpd not up in time: no handle), by PID:
	# processes in their mount namespaces that run a configuration of this test's (its PID in the path: a
	# namespace's number may be another's once it is gone)
	my %sandboxed = map { $_ => 1 } split /\n/, Auth0Test::_read($namespaces);
	my $ours = sub {
		my ($pid) = @_;
		return 0 unless $sandboxed{readlink("/proc/$pid/ns/mnt") // ''};
		open my $fh, '<', "/proc/$pid/cmdline" or return 0;
		local $/;
		my $cmd = <$fh> // '';
		return $cmd =~ m{/logs/extra-\w+-$$-\d+/};
	};
	my @left = grep { $ours->($_) } map { m{^/proc/(\d+)$} ? $1 : () } glob '/proc/[0-9]*';
	kill 'TERM', @left if @left;
	wait_until(20, sub { !grep { kill 0, $_ } @left });
	kill 'TERM', $ns->{pid};
	waitpid $ns->{pid}, 0;
	unlink $ns->{events};
}

# ---- memcache ---------------------------------------------------------------------------------------
SKIP: {
	my $mc = eval { memcached_start() };
	skip "memcached is not available: $@", 13 unless $mc;
	my ($h, $base) = provider_site('memcache:127.0.0.1:PORT', $mc->{port});
	skip 'no httpd', 12 unless $h;
	my $b = browser();
	is json_of($b->visit("$base/echo"))->{REMOTE_USER}, ALICE, 'a login with sessions in memcached';
	my $copy = $b->cookie('__Host-auth0_session') // '';
	like $copy, qr/^s\./, '... the cookie holds an id';
	my $items = memcached_stat($mc, 'curr_items') // 0;
	cmp_ok $items, '>=', 2, "... memcached holds the session and the used state ($items items)";
	is json_of($b->get("$base/echo"))->{REMOTE_USER}, ALICE, '... and serves the next request';
	is $b->get("$base/logout", 'Sec-Fetch-Site' => 'same-origin')->code, 302, 'logout';
	is memcached_stat($mc, 'curr_items'), $items - 1, '... removes the session from memcached';
	my $thief = browser();
	$thief->set_cookie('__Host-auth0_session', $copy);
	is $thief->get("$base/echo")->code, 302, '... and a copy of its cookie is sent to the login';
	unlike log_of($h), qr/\[auth0:(error|crit)/, 'no error was logged';

	# memcached stops: apr_memcache then answers "not found" for every key of a server it found down,
	# which is not a logout; started again, it is empty, and the session is gone
	my $signed = browser();
	$signed->visit("$base/echo");
	memcached_stop($mc);
	my @codes = map { $signed->get("$base/echo")->code } 1 .. 4;
	is_deeply \@codes, [(503) x 4], 'with memcached down, a signed-in browser gets 503, every time';
	like $signed->cookie('__Host-auth0_session') // '', qr/^s\./, '... and keeps its session cookie';
	$mc = memcached_start(port => $mc->{port});
	my $res;
	wait_until(30, sub { $res = $signed->get("$base/echo"); $res->code != 503 });
	is $res->code, 302, 'memcached started again (empty): the session is gone, to the login';
	ok !$signed->cookie('__Host-auth0_session'), '... and its cookie is removed';
	httpd_stop($h);
}

# An httpd of its own whose cache is a shmcb of $size bytes: (handle, base URL), the handle undef when it did
# not start (a failed test says so).
sub shmcb_site {
	my ($name, $size, $what) = @_;
	my $port = free_port();
	my ($h, $out) = httpd_start(site($port, "shmcb:$t/logs/$name-shmcb-$$($size)"));
	ok $h, "httpd starts with $what" or diag $out;
	return ($h, "https://127.0.0.1:$port");
}

# ---- empty forms posted by a script: the budget counts each one's place in the cache, not only its bytes ----
# (an empty form is 30 sealed bytes: counted so, 1 MiB would let 35,000 of them fill the index of the default
# 8 MiB shmcb, 15,000 entries, whose oldest, the sessions in use, would then be evicted)
{
	my ($h, $base) = shmcb_site('flood', 8388608, 'an 8 MiB shmcb (the default)');
	SKIP: {
		skip 'no httpd', 4 unless $h;
		my $b = browser();
		is json_of($b->visit("$base/echo"))->{REMOTE_USER}, ALICE, 'a session in the cache';
		my $script = LWP::UserAgent->new(keep_alive => 1, max_redirect => 0,
		                                 ssl_opts => {SSL_ca_file => $ENV{AUTH0_TEST_CA_FILE}, verify_hostname => 1});
		my ($kept, $refused) = (0, undef);
		for (1 .. 2500) {
			my $code = $script->post("$base/echo", Origin => $base, Accept => 'text/html',
			                         'Content-Type' => 'application/x-www-form-urlencoded', Content => '')->code;
			if ($code == 302) { $kept++ } else { $refused = $code; last }
		}
		# 1 MiB / (30 sealed bytes + a 66-byte key + 512) = 1724
		ok $kept >= 1600 && $kept <= 1760, "empty forms are kept up to the budget of their entries ($kept)";
		is $refused, 401, '... then refused with 401';
		is json_of($b->get("$base/echo"))->{REMOTE_USER}, ALICE, '... and the session is still served';
		httpd_stop($h);
	}
}

# ---- a small shmcb --------------------------------------------------------------------------------------
my ($h, $base) = shmcb_site('small', 30000, 'a small shmcb');
SKIP: {
	skip 'no httpd', 6 unless $h;
	my $b = browser();
	is json_of($b->visit("$base/echo"))->{REMOTE_USER}, ALICE, 'a small session goes into the cache';
	like $b->cookie('__Host-auth0_session'), qr/^s\./, '... (the cookie holds an id)';
	my @groups = map { sprintf 'grp-%08x-%04x-%012x', $_ * 2654435761 % 2**32, $_ * 40503 % 65536, $_ * 11400714819 % 2**48 } 1 .. 1000;
	tweak_tokens({which => 'id', claims => {'https://example.com/groups' => \@groups}});
	$b = browser();
	my $res = $b->visit("$base/echo");
	is json_of($res)->{REMOTE_USER}, ALICE, 'a session too large for the cache (1000 groups) still logs in';
	like log_of($h), qr/shared cache refused a session of \d+ bytes.*kept in the cookie store instead/,
		'... with a clear log line';
	ok !grep(/^s\./, map { $b->cookie($_) } $b->cookie_names(qr/^__Host-auth0_session/)), '... in the cookie store';
	is json_of($b->get("$base/echo"))->{REMOTE_USER}, ALICE, '... which serves the next request';
	httpd_stop($h);
}

done_testing();
