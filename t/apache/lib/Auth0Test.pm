package Auth0Test;

# Helpers shared by every test of the mod_auth0 suite (t/apache/t/*/*.t):
#
#   ports and URLs   port('SESSION'), url('SESSION', '/echo')  (the Defines of conf/extra.conf)
#   the tenant       tenant_url, reset_tenant, control(METHOD, PATH, BODY), counters, counter(KEY),
#                    fault(RULE...), clear_faults, tweak_tokens(SPEC...), autologin(EMAIL), settings(KEY => V),
#                    gates(), open_gate(NAME) (fault rules with a gate hold requests until it opens)
#   a browser        browser() -> Auth0Test::Browser: a cookie jar that follows redirects through the
#                    tenant's autologin or its login form (see the package below); host_browser(DOMAIN):
#                    one that reaches the names of DOMAIN (a.DOMAIN, ...) at 127.0.0.1, its cookies matched
#                    to those names (Auth0Test::HostBrowser)
#   cookies          tamper($value), cookie_attrs($response, $name)
#   extra servers    httpd_check($config) (apache2 -t), httpd_start($config) / httpd_stop($h),
#                    redis_start() / redis_stop($r), memcached_start() / memcached_stop($m), free_port()
#   waiting          wait_until($seconds, sub { condition }) (bounded polling, never a bare sleep)
#   the server clock server_second($response): the whole second httpd received a request in;
#                    second_start(): wait until just after the clock's second turns
#
# Everything it needs comes from the environment t/apache/run exports (AUTH0_TEST_*, MOD_AUTH0_SO).

use strict;
use warnings;

use Exporter 'import';
use File::Spec;
use FindBin;
use HTTP::Request;
use IO::Select;
use IO::Socket::INET;
use JSON::PP ();
use LWP::UserAgent;
use POSIX qw(WNOHANG);
use Time::HiRes qw(time sleep);
use URI;

our @EXPORT = qw(port url tenant_url reset_tenant control counters counter fault clear_faults tweak_tokens
  autologin settings gates open_gate browser host_browser tamper cookie_attrs set_cookie_lines json_of wait_until server_second second_start httpd_check
  app_directives refused_at_start app_site_start httpd_start httpd_stop app_site redis_start redis_stop redis_monitor memcached_start memcached_stop memcached_stat free_port t_dir log_mark log_since log_of new_log_of many_groups ALICE BOB);

# Users of the tenant's seed.
use constant ALICE => 'auth0|a11ce0000000000000000001';
use constant BOB   => 'auth0|b0b000000000000000000002';

my $JSON = JSON::PP->new->canonical->allow_nonref;

sub t_dir {
	# tests live in t/<area>/*.t under the Apache::Test t directory
	my $dir = File::Spec->rel2abs("$FindBin::Bin/../..");
	return $dir;
}

# ---- ports and URLs -------------------------------------------------------------------------------------

my %ports;

sub _load_ports {
	return if %ports;
	my $file = t_dir() . '/conf/extra.conf';
	open my $fh, '<', $file or die "cannot read $file (run the suite with t/apache/run): $!";
	while (<$fh>) {
		$ports{$1} = $2 if /^\s*Define\s+AUTH0_PORT_(\w+)\s+(\d+)/;
	}
	close $fh;
}

sub port {
	my ($name) = @_;
	_load_ports();
	return $ports{$name} // die "no port AUTH0_PORT_$name in conf/extra.conf";
}

# url('SESSION', '/echo') -> https://127.0.0.1:PORT/echo ; url('SESSION_PLAIN', '/', 'http')
sub url {
	my ($name, $path, $scheme) = @_;
	$scheme //= $name =~ /PLAIN|BACKEND/ ? 'http' : 'https';
	return "$scheme://127.0.0.1:" . port($name) . ($path // '/');
}

# ---- the tenant ------------------------------------------------------------------------------------------

sub tenant_url { $ENV{AUTH0_TEST_BASE_URL} // die 'AUTH0_TEST_BASE_URL is not set' }

my $control_ua;

sub _control_ua {
	$control_ua //= LWP::UserAgent->new(
		timeout  => 30,
		ssl_opts => {SSL_ca_file => $ENV{AUTH0_TEST_CA_FILE}, verify_hostname => 1},
	);
	$control_ua->env_proxy(0);
	$control_ua->no_proxy('127.0.0.1', 'localhost');
	return $control_ua;
}

# control('POST', '/__control/faults', {...}) -> decoded JSON (undef for 204); dies on an error
sub control {
	my ($method, $path, $body) = @_;
	my $req = HTTP::Request->new($method => tenant_url() . $path);
	if (defined $body) {
		$req->header('Content-Type' => 'application/json');
		$req->content($JSON->encode($body));
	}
	my $res = _control_ua()->request($req);
	die "tenant control $method $path failed: " . $res->status_line . ' ' . $res->decoded_content
	  unless $res->is_success;
	return length $res->content ? $JSON->decode($res->content) : undef;
}

sub reset_tenant { control(POST => '/__control/reset', {}) }
sub counters     { control(GET => '/__control/counters') }
sub counter      { my ($key) = @_; counters()->{$key} // 0 }
sub fault        { control(POST => '/__control/faults', [@_]) }
sub clear_faults { control(DELETE => '/__control/faults') }
sub tweak_tokens { control(POST => '/__control/tokens', [@_]) }
sub autologin    { my ($email) = @_; control(POST => '/__control/autologin', {email => $email}) }
sub settings     { my (%s) = @_; control(POST => '/__control/settings', \%s) }
# The gates of the tenant's fault rules: {NAME => {open => 0|1, held => N now, waited => N in all}}.
sub gates        { control(GET => '/__control/gates') }
sub open_gate    { my ($name) = @_; control(POST => '/__control/gates', {open => $name}) }

# ---- cookies ---------------------------------------------------------------------------------------------

# The Set-Cookie lines of a response for cookie $name (all of them, in order).
sub set_cookie_lines {
	my ($res, $name) = @_;
	return grep { /^\Q$name\E=/ } $res->header('Set-Cookie');
}

# Attributes of the last Set-Cookie for $name: { value => ..., path => '/', secure => 1, ... }
# (names lower-cased; flags are 1), or undef.
sub cookie_attrs {
	my ($res, $name) = @_;
	my ($line) = reverse set_cookie_lines($res, $name);
	return undef unless defined $line;
	my ($pair, @attrs) = split /;\s*/, $line;
	my (undef, $value) = split /=/, $pair, 2;
	my %a = (value => $value);
	for (@attrs) {
		my ($k, $v) = split /=/, $_, 2;
		$a{lc $k} = $v // 1;
	}
	return \%a;
}

# $n group names shaped like GUIDs, different enough that deflating a session of them saves little (as
# with real directory groups): large claims for sessions that need several cookies.
sub many_groups {
	my ($n) = @_;
	return map { sprintf 'grp-%08x-%04x-4%03x-%04x-%012x', $_ * 2654435761 % 2**32, $_ * 40503 % 65536,
		$_ % 4096, 0x8000 + $_ % 16384, $_ * 11400714819 % 2**48 } 1 .. $n;
}

# A value with one character changed in its middle (a tampered cookie).
sub tamper {
	my ($value) = @_;
	my $i = int(length($value) / 2);
	my $c = substr($value, $i, 1);
	substr($value, $i, 1) = $c eq 'A' ? 'B' : 'A';
	return $value;
}

sub json_of {
	my ($res) = @_;
	my $data = eval { $JSON->decode($res->decoded_content) };
	return $data // {};
}

# ---- the error log ---------------------------------------------------------------------------------------

# log_mark() then log_since($mark): what httpd logged in between (its error_log).
sub log_mark { my $f = t_dir() . '/logs/error_log'; return -s $f // 0 }

sub log_since {
	my ($mark) = @_;
	my $f = t_dir() . '/logs/error_log';
	open my $fh, '<', $f or return '';
	seek $fh, $mark, 0;
	local $/;
	my $s = <$fh> // '';
	return join "\n", grep { !/\[[a-z_]+:trace\d\]/ } split /\n/, $s;
}

# The whole error log of an httpd that httpd_start started.
sub log_of {
	my ($h) = @_;
	open my $fh, '<', "$h->{dir}/error_log" or return '';
	local $/;
	return <$fh> // '';
}

# What the error log of httpd_start's $h gained since the last call for $h (all of it the first time).
my %log_seen;
sub new_log_of {
	my ($h) = @_;
	my $log = log_of($h);
	my $new = substr $log, $log_seen{$h} // 0;
	$log_seen{$h} = length $log;
	return $new;
}

# ---- waiting ---------------------------------------------------------------------------------------------

# Polls $cond every 50 ms until it is true or $seconds passed; returns its last value.
sub wait_until {
	my ($seconds, $cond) = @_;
	my $deadline = time + $seconds;
	while (1) {
		my $v = $cond->();
		return $v if $v || time >= $deadline;
		sleep 0.05;
	}
}

# ---- the server's clock ----------------------------------------------------------------------------------

# The second (epoch) in which httpd received the request of $res: its Date header, which httpd makes from
# the request's time, the time the module keeps in sessions in whole seconds. A test of session times
# knows from it which second each request counted in, where the client's clock only bounds it.
sub server_second {
	my ($res) = @_;
	return $res->date // die 'no Date header in the response to ' . $res->request->uri;
}

# Waits (at most 1.2 s) until the clock's second has just turned: what a test does next in the 0.8 s after
# falls within one second of the server's clock, on all but a very slow machine.
sub second_start { wait_until(1.2, sub { my $t = time; $t - int($t) < 0.2 }) }

# ---- extra httpd and redis processes ---------------------------------------------------------------------

sub free_port {
	my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 1, ReuseAddr => 1)
	  or die "no free port: $!";
	my $port = $s->sockport;
	close $s;
	return $port;
}

my $config_seq = 0;

# What a test started is stopped when it ends, even when it dies half-way (by PID, never by name).
my (@httpds, @caches);
my $owner = $$;
END {
	local $?;    # keep the test's exit status
	if ($$ == $owner) {
		httpd_stop($_) for @httpds;
		_stop_cache($_) for @caches;
	}
}

# A complete httpd configuration around $body: the suite's modules, mod_auth0, logs in t/logs.
sub _config_file {
	my ($body, $tag) = @_;
	my $t    = t_dir();
	my $n    = ++$config_seq;
	my $dir  = "$t/logs/extra-$tag-$$-$n";
	mkdir $dir or die "mkdir $dir: $!";
	chmod 0755, $dir;
	my $user = $> == 0 ? "User nobody\nGroup nogroup\n" : '';
	my $file = "$dir/httpd.conf";
	open my $fh, '>', $file or die "cannot write $file: $!";
	print $fh <<"EOC";
ServerRoot "$t"
Include "$ENV{AUTH0_TEST_BASE_CONF}"
LoadModule auth0_module "$ENV{MOD_AUTH0_SO}"
ServerName 127.0.0.1
PidFile "$dir/httpd.pid"
ErrorLog "$dir/error_log"
LogLevel info auth0:debug
DefaultRuntimeDir "$dir"
Mutex file:$dir default
ScriptSock "$dir/cgisock"
<IfModule ssl_module>
SSLSessionCache "shmcb:$dir/ssl_scache(512000)"
</IfModule>
$user
$body
EOC
	close $fh;
	return ($file, $dir);
}

# Runs `apache2 -t` on a configuration made of $body; returns (exit status, output).
sub httpd_check {
	my ($body) = @_;
	my ($file, $dir) = _config_file("Listen 127.0.0.1:" . free_port() . "\n$body", 'check');
	my $out = qx{"$ENV{AUTH0_TEST_HTTPD}" -t -f "$file" 2>&1};
	return ($? >> 8, $out);
}

# The directives of a complete browser-login configuration for the tenant's web application.
sub app_directives {
	return <<"EOC";
Auth0Domain "$ENV{AUTH0_TEST_DOMAIN}"
Auth0ClientID demo-web-client
Auth0ClientSecret demo-web-secret
Auth0RedirectURI /callback
Auth0SessionSecret config-test-secret-0123456789-abcdefghijkl
EOC
}

# A configuration (that listens on $port where it needs to) that httpd must refuse, both when it starts and
# with httpd -t, with a message matching $re: four tests.
sub refused_at_start {
	my ($port, $conf, $re) = @_;
	my ($h, $log) = httpd_start("Listen 127.0.0.1:$port\n$conf\n");
	Test::More::ok(!$h, 'httpd refuses to start');
	httpd_stop($h) if $h;
	Test::More::like($log // '', $re, '... and says why');
	my ($st, $out) = httpd_check($conf);
	Test::More::isnt($st, 0, '... and httpd -t refuses it too');
	Test::More::like($out, $re, '... with the same message');
}

# The configuration of a site for httpd_start: a TLS virtual host on 127.0.0.1:$o{port} serving t/htdocs
# (any path ending in /echo is the echo CGI) entirely under AuthType Auth0, for the tenant's web application
# ($o{client_id} / $o{client_secret} to change), sessions in the cache, local logout at /logout; $o{server}
# is added at server level, $o{vhost} inside the virtual host, $o{root} replaces the directives of its
# <Location /> (AuthType Auth0, Require valid-user), $o{after} comes after that section (locations that
# must be merged after it).
sub app_site {
	my (%o) = @_;
	my $t = t_dir();
	my $id = $o{client_id} // 'demo-web-client';
	my $secret = $o{client_secret} // 'demo-web-secret';
	return <<"EOC";
Listen 127.0.0.1:$o{port} https
@{[$o{server} // '']}
<VirtualHost 127.0.0.1:$o{port}>
    ServerName 127.0.0.1
    SSLEngine on
    SSLCertificateFile "$ENV{AUTH0_TEST_STATE_DIR}/server.pem"
    SSLCertificateKeyFile "$ENV{AUTH0_TEST_STATE_DIR}/server.key"
    DocumentRoot "$t/htdocs"
    ScriptAliasMatch "/echo\$" "$t/htdocs/echo.cgi"
    Auth0Domain "$ENV{AUTH0_TEST_DOMAIN}"
    Auth0CACertificateFile "$ENV{AUTH0_TEST_CA_FILE}"
    Auth0ClientID $id
    Auth0ClientSecret $secret
    Auth0RedirectURI /callback
    Auth0LogoutPath /logout
    Auth0LogoutEndpoint local
    Auth0SessionSecret provider-test-secret-0123456789-abcdefghijk
    Auth0SessionStore cache
    @{[$o{vhost} // '']}
    <Location />
        @{[$o{root} // "AuthType Auth0\nRequire valid-user"]}
    </Location>
    @{[$o{after} // '']}
</VirtualHost>
EOC
}

# Starts app_site(%app, vhost => $vhost) on a free port (a test that it started): ($h, its base URL).
sub app_site_start {
	my ($vhost, %app) = @_;
	my $port = free_port();
	my ($h, $out) = httpd_start(app_site(port => $port, vhost => $vhost, %app));
	Test::More::ok($h, "httpd starts with: $vhost") or Test::More::diag($out);
	return ($h, "https://127.0.0.1:$port");
}

# Starts httpd with $body (which must Listen somewhere); returns a handle, or (undef, output) when httpd
# refused to start (start-up checks: the output includes the error log).
sub httpd_start {
	my ($body) = @_;
	my ($file, $dir) = _config_file($body, 'httpd');
	my $out = qx{"$ENV{AUTH0_TEST_HTTPD}" -f "$file" -k start 2>&1};
	my $status = $? >> 8;
	my $h = {dir => $dir, file => $file};
	# (an httpd that refused its configuration has exited already: nothing to wait for)
	my $pid = $status == 0 && wait_until(10, sub { -s "$dir/httpd.pid" && _read("$dir/httpd.pid") });
	if ($status != 0 || !$pid) {
		my $log = -f "$dir/error_log" ? _read("$dir/error_log") : '';
		return (undef, $out . $log);
	}
	chomp $pid;
	$h->{pid} = $pid;
	push @httpds, $h;
	return $h;
}

sub httpd_stop {
	my ($h) = @_;
	return unless $h && $h->{pid};
	kill 'TERM', $h->{pid};
	wait_until(20, sub { !kill 0, $h->{pid} });
	delete $h->{pid};
}

sub _read {
	my ($file) = @_;
	open my $fh, '<', $file or return '';
	local $/;
	my $s = <$fh>;
	return $s;
}

# Starts a cache server: $name, $bin with the arguments $args->($dir, $port) gives, on $port, its output in
# t/logs/NAME-PID-PORT/NAME.log; returns its handle once $ready->($handle) holds, dies if it never does.
sub _start_cache {
	my ($name, $bin, $port, $args, $ready, %more) = @_;
	my $dir = t_dir() . "/logs/$name-$$-$port";
	mkdir $dir;
	my $pid = fork // die "fork: $!";
	if (!$pid) {
		open STDOUT, '>>', "$dir/$name.log";
		open STDERR, '>&', \*STDOUT;
		exec $bin, $args->($dir, $port);
		exit 127;
	}
	my $c = {pid => $pid, port => $port, dir => $dir, %more};
	push @caches, $c;
	unless (wait_until(20, sub { $ready->($c) })) {
		_stop_cache($c);
		die "$name did not start: " . _read("$dir/$name.log");
	}
	return $c;
}

# Debian's redis-server on a free port of 127.0.0.1 (or port => the same one again, empty), without
# persistence; undef when not installed. With password => P, clients must authenticate: as the ACL user
# user => U when given (the default user is then off), else with requirepass; args => [...]: more options.
sub redis_start {
	my (%o) = @_;
	return undef unless -x '/usr/bin/redis-server';
	my @auth = !defined $o{password} ? ()
	         : defined $o{user} ? ('--user', 'default', 'off', '--user', $o{user}, 'on', ">$o{password}", '~*', '&*', '+@all')
	         : ('--requirepass', $o{password});
	return _start_cache('redis', '/usr/bin/redis-server', $o{port} // free_port(),
		sub { my ($dir, $port) = @_; ('--port', $port, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
			'--dir', $dir, '--daemonize', 'no', @auth, @{$o{args} // []}) },
		sub { (redis_command($_[0], 'PING') // '') eq '+PONG' },
		password => $o{password}, user => $o{user});
}

# One command in the inline protocol (authenticated as the server asks; in database db => N when given
# as redis_command({%$r, db => N}, ...)); returns the first reply line.
sub redis_command {
	my ($r, @words) = @_;
	my ($s, $refused) = _redis_connect($r);
	return $refused unless $s;
	print $s join(' ', @words), "\r\n";
	my $line = <$s>;
	close $s;
	$line =~ s/\r?\n$// if defined $line;
	return $line;
}

# A connection to $r, authenticated and in its database: (socket) or (undef, the refusal's reply line).
sub _redis_connect {
	my ($r) = @_;
	my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $r->{port}, Timeout => 2) or return;
	my @setup;
	push @setup, join(' ', 'AUTH', grep { defined } $r->{user}, $r->{password}) if defined $r->{password};
	push @setup, "SELECT $r->{db}" if $r->{db};
	for my $command (@setup) {
		print $s "$command\r\n";
		my $ok = <$s> // '';
		return (undef, $ok =~ s/\r?\n$//r) unless $ok =~ /^\+OK/;
	}
	return $s;
}

# What redis runs while $code runs: the lines of MONITOR (every command of every client, one a line, as
# `+TIME [DB ADDRESS] "COMMAND" "ARG"...`) up to the first that matches $until, read for at most 5 s after
# $code returns (redis feeds a monitor each command as it runs it, before its reply leaves).
sub redis_monitor {
	my ($r, $until, $code) = @_;
	my ($s, $refused) = _redis_connect({%$r, db => undef});
	die 'redis_monitor: cannot connect: ' . ($refused // 'no answer') unless $s;
	print $s "MONITOR\r\n";
	(<$s> // '') =~ /^\+OK/ or die 'redis_monitor: MONITOR refused';
	$code->();
	my @lines;
	my $sel = IO::Select->new($s);
	my $end = time + 5;
	my $buf = '';
	while ((my $left = $end - time) > 0) {
		last unless $sel->can_read($left);
		last unless sysread($s, $buf, 65536, length $buf);
		while ($buf =~ s/^([^\n]*)\n//) {
			push @lines, $1 =~ s/\r$//r;
			return @lines if $lines[-1] =~ $until;
		}
	}
	close $s;
	return @lines;
}

sub redis_stop { _stop_cache(@_) }

# Debian's memcached on a free port (or the given one: the same server again, empty), as nobody when the
# tests run as root (memcached refuses root).
sub memcached_start {
	my (%o) = @_;
	return undef unless -x '/usr/bin/memcached';
	return _start_cache('memcached', '/usr/bin/memcached', $o{port} // free_port(),
		sub { my ($dir, $port) = @_; ('-l', '127.0.0.1', '-p', $port, '-U', '0', '-m', '64', ($> == 0 ? ('-u', 'nobody') : ())) },
		sub { defined memcached_stat($_[0], 'pid') });
}

# One of memcached's "stats" (curr_items, pid, ...), or undef when it does not answer.
sub memcached_stat {
	my ($m, $name) = @_;
	my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $m->{port}, Timeout => 2) or return undef;
	print $s "stats\r\n";
	my $value;
	while (my $line = <$s>) {
		last if $line =~ /^END\r?$/;
		$value = $1 if $line =~ /^STAT \Q$name\E (\S+)/;
	}
	close $s;
	return $value;
}

sub memcached_stop { _stop_cache(@_) }

sub _stop_cache {
	my ($r) = @_;
	return unless $r && $r->{pid};
	kill 'TERM', $r->{pid};
	wait_until(20, sub { waitpid($r->{pid}, WNOHANG) != 0 });
	delete $r->{pid};
}

sub browser { Auth0Test::Browser->new(@_) }
sub host_browser { my ($domain, @opt) = @_; Auth0Test::HostBrowser->new(@opt, domain => $domain) }

package Auth0Test::Browser;

# A browser for tests: one cookie jar, redirects followed by hand (each hop is kept in ->chain), the
# tenant's login form filled in when there is no autologin. Requests look like page navigations
# (Accept: text/html) unless headers say otherwise.

use strict;
use warnings;

use HTTP::Cookies;
use HTTP::Request;
use LWP::UserAgent;
use URI;

sub new {
	my ($class, %opt) = @_;
	my $ua = LWP::UserAgent->new(
		timeout      => $opt{timeout} // 30,
		max_redirect => 0,
		cookie_jar   => HTTP::Cookies->new,
		ssl_opts     => {SSL_ca_file => $ENV{AUTH0_TEST_CA_FILE}, verify_hostname => 1},
		keep_alive   => 0,
	);
	$ua->env_proxy(0);
	$ua->no_proxy('127.0.0.1', 'localhost');
	$ua->default_header(Accept => 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.8');
	return bless {ua => $ua, chain => [], user => $opt{user}, password => $opt{password}}, $class;
}

sub ua    { $_[0]{ua} }
sub jar   { $_[0]{ua}->cookie_jar }
sub chain { @{$_[0]{chain}} }
# The response to the last request of the chain to the callback (/callback), or undef.
sub callback { (grep { $_->request->uri->path eq '/callback' } $_[0]->chain)[-1] }

# One request, no redirect followed. request(METHOD, URL, [HEADER => VALUE...], [content => BODY])
sub request {
	my ($self, $method, $url, @h) = @_;
	my %h = @h;
	my $content = delete $h{content};
	my $req = HTTP::Request->new($method => $url);
	$req->header($_ => $h{$_}) for keys %h;
	if (defined $content) {
		$req->header('Content-Type' => $h{'Content-Type'} // 'application/x-www-form-urlencoded');
		$req->content($content);
	}
	return $self->{ua}->request($req);
}

sub get { my ($self, $url, @h) = @_; $self->request(GET => $url, @h) }

# GET $url (POST with $opt{content}) and follow redirects (at most 15 hops) through the tenant; on the
# tenant's login form, log in as $opt{user} (default: the browser's user, else fail). Returns the final
# response; ->chain has every response on the way.
sub visit {
	my ($self, $url, %opt) = @_;
	$self->{chain} = [];
	# content => BODY: the first request is a POST of it (a form)
	my $res = defined $opt{content}
	  ? $self->request(POST => $url, %{$opt{headers} // {}}, content => $opt{content})
	  : $self->get($url, %{$opt{headers} // {}});
	for (1 .. 15) {
		push @{$self->{chain}}, $res;
		if ($res->is_redirect) {
			my $next = URI->new_abs($res->header('Location'), $res->request->uri)->as_string;
			$res = $self->get($next);
			next;
		}
		my $user = $opt{user} // $self->{user};
		if ($res->code == 200 && $res->request->uri =~ m{/u/login} && $user) {
			my ($state) = $res->decoded_content =~ /name="state" value="([^"]+)"/;
			my $action = URI->new_abs('/u/login', $res->request->uri)->as_string;
			my $form = join '&', map { _enc($_->[0]) . '=' . _enc($_->[1]) }
			  ([state => $state], [username => $user], [password => $opt{password} // $self->{password}],
			   [action => 'login']);
			$res = $self->request(POST => $action, content => $form);
			next;
		}
		last;
	}
	return $res;
}

# GET $url (a protected page) and follow the redirects through the tenant up to, not including, the
# request to this site's callback; returns the callback URL (undef when the chain went elsewhere).
sub to_callback {
	my ($self, $url, %opt) = @_;
	my $res = $self->get($url, %{$opt{headers} // {}});
	for (1 .. 10) {
		return undef unless $res->is_redirect;
		my $next = URI->new_abs($res->header('Location'), $res->request->uri);
		return $next->as_string if $next->path =~ m{/callback$} && $next->port != URI->new($ENV{AUTH0_TEST_BASE_URL})->port;
		$res = $self->get($next->as_string);
	}
	return undef;
}

sub _enc {
	my ($s) = @_;
	$s =~ s/([^A-Za-z0-9_.~-])/sprintf('%%%02X', ord $1)/ge;
	return $s;
}

# The value of cookie $name in the jar (any domain/path), or undef.
sub cookie {
	my ($self, $name) = @_;
	my $found;
	$self->jar->scan(sub { $found = $_[2] if $_[1] eq $name });
	return $found;
}

# Names of the jar's cookies matching a regex.
sub cookie_names {
	my ($self, $re) = @_;
	my @names;
	$self->jar->scan(sub { push @names, $_[1] if $_[1] =~ $re });
	return sort @names;
}

sub count_cookies {
	my ($self, $re) = @_;
	my @n = $self->cookie_names($re);
	return scalar @n;
}

# Sets (or replaces) cookie $name for 127.0.0.1 with $value; secure unless $opt{insecure}.
sub set_cookie {
	my ($self, $name, $value, %opt) = @_;
	$self->jar->set_cookie(0, $name, $value, '/', '127.0.0.1', undef, 1, $opt{insecure} ? 0 : 1, 3600, 0, {});
}

sub remove_cookie {
	my ($self, $name) = @_;
	my @doomed;
	$self->jar->scan(sub { push @doomed, [@_[4, 3, 1]] if $_[1] eq $name });
	$self->jar->clear(@$_) for @doomed;
}

# Copies every cookie of $other (another browser) into this one.
sub copy_cookies_from {
	my ($self, $other) = @_;
	$other->jar->scan(sub {
		my @c = @_;
		$c[8] = defined $c[8] ? $c[8] - time : undef;    # scan gives expiry times, set_cookie wants Max-Age
		$self->jar->set_cookie(@c);
	});
}

package Auth0Test::HostBrowser;

# A browser for names of a test domain (host_browser('example.test')): a request to https://a.example.test:PORT/
# goes to 127.0.0.1:PORT with "Host: a.example.test:PORT", as a browser's would once the name resolved there.
# HTTP::Cookies takes the request's host from its Host header, so the jar matches cookies to the names as a
# browser does: a cookie for Domain=example.test set by a.example.test is sent to b.example.test, a host-only
# one is not. TLS still checks the certificate for 127.0.0.1 (no SNI for an address: httpd picks the virtual
# host by the Host header). Responses carry the request under its name (->request->uri), so that relative
# redirects and the tests' checks of paths see what a browser would. Other hosts (the tenant) as usual.

use strict;
use warnings;

use URI;

our @ISA = ('Auth0Test::Browser');

sub new {
	my ($class, %opt) = @_;
	my $domain = delete $opt{domain} // die 'host_browser needs a domain';
	my $self = Auth0Test::Browser::new($class, %opt);
	$self->{domain} = lc $domain;
	return $self;
}

sub request {
	my ($self, $method, $url, @h) = @_;
	my $u = URI->new($url);
	my $host = $u->can('host') ? lc($u->host // '') : '';
	return $self->SUPER::request($method, $url, @h)
	  unless $host eq $self->{domain} || substr($host, -length($self->{domain}) - 1) eq ".$self->{domain}";
	my $named = $u->clone;
	$u->host('127.0.0.1');
	my $res = $self->SUPER::request($method, $u->as_string, @h, Host => $named->host_port);
	$res->request->uri($named);
	return $res;
}

1;
