package Auth0Test::Admin;

# Helpers of the admin endpoint tests (t/admin): a signed-in administrator's browser with the session's
# CSRF token, JSON requests to the admin API with or without the same-origin signals, bearer requests,
# and the tenant's record of what reached its Management API.

use strict;
use warnings;

use Exporter 'import';
use HTTP::Request;
use JSON::PP ();
use LWP::UserAgent;
use URI::Escape qw(uri_escape);
use Apache::Test ();
use Auth0Test qw(browser autologin control tenant_url);

our @EXPORT = qw(admin_port admin_url admin_origin admin_login api_call bearer_call mgmt_requests last_mgmt_request
  audit_lines jenc);

my $JSON = JSON::PP->new->canonical->utf8->allow_nonref;

sub jenc { $JSON->encode(@_) }

# The port Apache::Test gave a named virtual host of conf/admin.conf.in (default auth0_admin).
sub admin_port {
	my ($v) = @_;
	$v //= 'auth0_admin';
	return Apache::Test::config()->{vhosts}{$v}{port} // die "no virtual host $v";
}
sub admin_origin { my ($v) = @_; 'https://127.0.0.1:' . admin_port($v) }
sub admin_url    { my ($path, $v) = @_; admin_origin($v) . ($path // '/') }

# A browser signed in as $email (autologin) on the ADMIN site; returns ($browser, $csrf) where $csrf is
# the token the admin page carries (data-csrf).
sub admin_login {
	my ($email, $page) = @_;
	autologin($email // 'alice@example.com');
	my $b   = browser();
	my $res = $b->visit(admin_url($page // '/console/'));
	autologin(undef);
	die 'login failed: ' . $res->status_line unless $res->code == 200;
	my ($csrf) = $res->decoded_content =~ /data-csrf="([^"]*)"/;
	return ($b, $csrf, $res);
}

# api_call($browser, METHOD, PATH, csrf => TOKEN, origin => URL|undef, site => 'same-origin'|undef,
#          json => DATA | body => TEXT, type => CONTENT-TYPE, headers => {...})
# A fetch() of the admin page: Accept JSON; for changes, by default the same-origin signals a browser
# sends (Origin and Sec-Fetch-Site) unless origin/site are given (undef: left out).
sub api_call {
	my ($b, $method, $path, %o) = @_;
	my $url = $path =~ m{^https?://} ? $path : admin_url($path, $o{vhost});
	my $req = HTTP::Request->new($method => $url);
	$req->header(Accept => 'application/json');
	my $safe = $method eq 'GET' || $method eq 'HEAD' || $method eq 'OPTIONS';
	my $origin = exists $o{origin} ? $o{origin} : ($safe ? undef : admin_origin($o{vhost}));
	my $site   = exists $o{site}   ? $o{site}   : ($safe ? undef : 'same-origin');
	$req->header(Origin => $origin)           if defined $origin;
	$req->header('Sec-Fetch-Site' => $site)   if defined $site;
	$req->header('X-CSRF-Token' => $o{csrf})  if defined $o{csrf};
	$req->header(Authorization => "Bearer $o{bearer}") if defined $o{bearer};
	if (exists $o{json}) {
		$req->header('Content-Type' => $o{type} // 'application/json');
		$req->content(jenc($o{json}));
	} elsif (defined $o{body}) {
		$req->header('Content-Type' => $o{type}) if defined $o{type};
		$req->content($o{body});
	}
	$req->header($_ => $o{headers}{$_}) for keys %{$o{headers} // {}};
	my $ua = $b ? $b->ua : _ua();
	return $ua->request($req);
}

# A request with a bearer token (no cookies, no browser signals).
sub bearer_call {
	my ($token, $method, $path, %o) = @_;
	return api_call(undef, $method, $path, origin => undef, site => undef, bearer => $token, %o);
}

my $ua;
sub _ua {
	$ua //= do {
		my $u = LWP::UserAgent->new(
			timeout    => 30,
			keep_alive => 0,
			max_redirect => 0,
			ssl_opts   => {SSL_ca_file => $ENV{AUTH0_TEST_CA_FILE}, verify_hostname => 1},
		);
		$u->env_proxy(0);
		$u->no_proxy('127.0.0.1', 'localhost');
		$u;
	};
	return $ua;
}

# Requests the tenant recorded for a Management path (or template, or prefix*), oldest first.
sub mgmt_requests {
	my ($path, $limit) = @_;
	my $list = control(GET => '/__control/requests?path=' . uri_escape($path) . '&limit=' . ($limit // 50));
	return ref $list eq 'ARRAY' ? @$list : @{$list->{requests} // []};
}

sub last_mgmt_request {
	my ($path) = @_;
	my @all = mgmt_requests($path, 1);
	return $all[-1];
}

# The audit lines of an error-log excerpt.
sub audit_lines {
	my ($log) = @_;
	return grep {/admin audit:/} split /\n/, $log;
}

1;
