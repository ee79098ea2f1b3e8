package Auth0Test::Attacks;

# Helpers of the attack matrix (t/attacks/*.t, conf/attacks.conf):
#
#   raw HTTP          raw_request(port => 'ATTACK' | NUMBER, target => '/x', method, headers => [N => V...],
#                     body, host, tls, raw => 'whole request')  -> response hash (status, headers, body)
#                     Requests go out byte for byte (no URI normalisation, header names as written, in
#                     order, repeated when repeated), over kept-alive TLS connections (one to httpd, one
#                     to the tenant; close => 1: not kept). The hash: status (0 when nothing came: error says why), reason, headers
#                     ([[name, value]...]), head (as received), body (chunked decoded), truncated.
#                     hdr($res, NAME) (first value), hdrs($res, NAME) (all), set_cookies($res)
#   cookies           a jar is a hash name => value: jar_update($jar, $res), jar_header($jar)
#   logins            start_login($site, $target, jar => ..., host => ..., headers => [...]): the site's
#                     answer to a page navigation; tenant_authorize($url): the tenant's answer (autologin)
#                     -> the callback URL; login($site, jar => ..., target => ...): a signed-in jar (alice
#                     unless autologin says otherwise); query_param($url, NAME)
#   payloads          redirect_payloads(): [family, payload, as written] from data/redirect-payloads.txt
#                     (escapes undone); fill($payload, $port): placeholders replaced
#   encoding          pct_all($bytes): every byte but unreserved ones percent-encoded; html_unescape
#   tokens            jwt(\%header | JSON text, \%claims | text, $signer): a compact JWS built by hand;
#                     hmac_signer(SHA256|SHA384|SHA512, $key) (an empty key allowed), rsa_signer($pk, $hash,
#                     'v1.5'|'pss'); tenant_signing_key(): the tenant's current RS256 key and kid (from its
#                     state directory); attacker_key(): an RSA key of the attacker; b64u($bytes)
#   checks            alive(): the server answers a plain request (it did not crash or hang)
#   ports             aport('ATTACK') (same as Auth0Test::port), abase('ATTACK') = https://127.0.0.1:PORT

use strict;
use warnings;

use Exporter 'import';
use IO::Socket::INET;
use IO::Socket::SSL;
use IO::Select;
use Time::HiRes qw(time);
use URI;
use URI::QueryParam;
use JSON::PP ();
use MIME::Base64 ();
use Digest::SHA ();
use Crypt::PK::RSA ();
use Auth0Test qw(port url tenant_url t_dir);

our @EXPORT = qw(raw_request hdr hdrs set_cookies jar_update jar_header start_login tenant_authorize login
  redirect_payloads fill pct_all alive aport abase unescape_payload html_unescape query_param close_connections
  jwt b64u tenant_signing_key attacker_key hmac_signer rsa_signer);

sub aport { my ($name) = @_; return $name =~ /^\d+$/ ? $name : port($name) }
sub abase { my ($name) = @_; return 'https://127.0.0.1:' . aport($name) }

# ---- raw HTTP/1.1 ------------------------------------------------------------------------------------------

my %conns;    # "tls:port" -> socket kept alive

sub close_connections { close $_ for values %conns; %conns = () }

sub _connect {
	my ($port, $tls, $timeout) = @_;
	my $sock;
	if ($tls) {
		$sock = IO::Socket::SSL->new(PeerHost => '127.0.0.1', PeerPort => $port, Timeout => $timeout,
			SSL_ca_file => $ENV{AUTH0_TEST_CA_FILE}, SSL_verifycn_name => '127.0.0.1', SSL_verifycn_scheme => 'http')
		  or die "TLS connection to 127.0.0.1:$port failed: $IO::Socket::SSL::SSL_ERROR $!";
	} else {
		$sock = IO::Socket::INET->new(PeerHost => '127.0.0.1', PeerPort => $port, Timeout => $timeout)
		  or die "connection to 127.0.0.1:$port failed: $!";
	}
	return $sock;
}

# Reads until $want bytes are buffered or the peer closes (or the deadline passes).
sub _fill {
	my ($sock, $buf, $deadline, $want) = @_;
	while (!defined $want || length($$buf) < $want) {
		my $left = $deadline - time;
		return 0 if $left <= 0;
		# TLS may hold decrypted bytes that select() does not see
		unless (ref $sock eq 'IO::Socket::SSL' && $sock->pending) {
			my $sel = IO::Select->new($sock);
			return 0 unless $sel->can_read($left);
		}
		my $n = sysread $sock, my $chunk, 65536;
		if (!defined $n) {
			next if ref $sock eq 'IO::Socket::SSL' && ($!{EAGAIN} || $SSL_ERROR == SSL_WANT_READ);
			return 0;
		}
		return 0 if $n == 0;
		$$buf .= $chunk;
		return 1 if !defined $want && $$buf =~ /\r?\n\r?\n/;
	}
	return 1;
}

# One request on a kept-alive connection; the response as a hash:
#   {status, reason, headers => [[name, value]...], body, closed (the server closed after it), error}
sub raw_request {
	my (%o) = @_;
	my $port    = aport($o{port});
	my $tls     = $o{tls} // 1;
	my $timeout = $o{timeout} // 20;
	my $method  = $o{method} // 'GET';
	my $target  = $o{target} // '/';
	my $req     = $o{raw};
	unless (defined $req) {
		my @h = @{$o{headers} // []};
		my %lc;
		for (my $i = 0; $i < @h; $i += 2) { $lc{lc $h[$i]} = 1 }
		$req = "$method $target HTTP/1.1\r\n";
		$req .= 'Host: ' . ($o{host} // "127.0.0.1:$port") . "\r\n" unless $lc{host} || $o{no_host};
		for (my $i = 0; $i < @h; $i += 2) { $req .= "$h[$i]: $h[$i + 1]\r\n" }
		if (defined $o{body} && !$lc{'content-length'} && !$lc{'transfer-encoding'}) {
			$req .= 'Content-Length: ' . length($o{body}) . "\r\n";
		}
		$req .= "\r\n" . ($o{body} // '');
	}
	my $key = ($tls ? 's' : 'p') . ":$port";
	# At most one kept-alive connection to httpd (and one to the tenant): under the prefork MPM Apache::Test
	# runs 3 children, each held by an idle kept-alive connection until KeepAliveTimeout.
	my $tenant = 's:' . URI->new(tenant_url())->port;
	for my $k (keys %conns) {
		next if $k eq $key || $k eq $tenant || $key eq $tenant;
		close delete $conns{$k};
	}
	for my $attempt (1, 2) {
		my $sock = $conns{$key};
		my $reused = $sock ? 1 : 0;
		$sock //= eval { _connect($port, $tls, $timeout) };
		return {status => 0, error => $@ || 'connect failed', headers => [], body => ''} unless $sock;
		delete $conns{$key};
		my $res = _exchange($sock, $req, $method, time + $timeout);
		if ($res->{status} == 0 && $reused && $attempt == 1 && !$res->{partial}) {
			close $sock;
			next;    # the server had closed the kept-alive connection
		}
		if ($res->{closed} || $res->{status} == 0 || $o{close}) {
			close $sock;
		} else {
			$conns{$key} = $sock;
		}
		return $res;
	}
}

sub _exchange {
	my ($sock, $req, $method, $deadline) = @_;
	my $fail = sub { return {status => 0, error => $_[0], headers => [], body => '', partial => $_[1]} };
	local $SIG{PIPE} = 'IGNORE';
	my $off = 0;
	while ($off < length $req) {
		my $n = syswrite $sock, $req, length($req) - $off, $off;
		unless (defined $n) {
			# the server may answer (413, 400) before reading everything: read what it said
			last;
		}
		$off += $n;
	}
	my $buf = '';
	_fill($sock, \$buf, $deadline, undef);
	my ($head, $rest) = $buf =~ /\A(.*?\r?\n)\r?\n(.*)\z/s;
	return $fail->(length $buf ? 'incomplete response head' : 'no response', length $buf) unless defined $head;
	my ($status_line, @lines) = split /\r?\n/, $head;
	my ($code, $reason) = $status_line =~ m{^HTTP/\d\.\d\s+(\d{3})\s*(.*)$};
	return $fail->("bad status line: $status_line", 1) unless $code;
	my @headers;
	for (@lines) {
		if (/^[ \t]/ && @headers) { $headers[-1][1] .= " $_"; next }
		my ($n, $v) = /^([^:]+):\s*(.*?)\s*$/ or next;
		push @headers, [$n, $v];
	}
	my $res = {status => $code, reason => $reason, headers => \@headers, body => '', head => $head};
	my %h;
	$h{lc $_->[0]} = $_->[1] for @headers;
	$res->{closed} = 1 if ($h{connection} // '') =~ /close/i;
	my $no_body = $method eq 'HEAD' || $code == 204 || $code == 304 || $code < 200;
	if ($no_body) {
		return $res;
	} elsif (($h{'transfer-encoding'} // '') =~ /chunked/i) {
		my $body = '';
		while (1) {
			# a server may close without the last chunk (httpd does when a CGI left a chunked body unread)
			while (index($rest, "\n") < 0) {
				_fill($sock, \$rest, $deadline, length($rest) + 1) or do { $res->{truncated} = 1; last };
			}
			last if $res->{truncated};
			$rest =~ s/\A([0-9a-fA-F]+)[^\n]*\n// or return $fail->('bad chunk size', 1);
			my $n = hex $1;
			if ($n == 0) {
				# trailers, up to an empty line
				while ($rest !~ /\A\r?\n/ && $rest !~ /\r?\n\r?\n/) {
					_fill($sock, \$rest, $deadline, length($rest) + 1) or last;
				}
				last;
			}
			if (length($rest) < $n + 2) {
				_fill($sock, \$rest, $deadline, $n + 2) or do { $res->{truncated} = 1; $body .= $rest; last };
			}
			$body .= substr($rest, 0, $n);
			substr($rest, 0, $n + 2) = '';
		}
		$res->{body} = $body;
		$res->{closed} = 1 if $res->{truncated};
	} elsif (defined $h{'content-length'}) {
		my $n = $h{'content-length'};
		_fill($sock, \$rest, $deadline, $n) if length($rest) < $n;
		$res->{body} = substr($rest, 0, $n);
	} else {
		1 while _fill($sock, \$rest, $deadline, length($rest) + 1);
		$res->{body} = $rest;
		$res->{closed} = 1;
	}
	return $res;
}

sub hdr {
	my ($res, $name) = @_;
	for (@{$res->{headers}}) { return $_->[1] if lc $_->[0] eq lc $name }
	return undef;
}
sub hdrs { my ($res, $name) = @_; return map { $_->[1] } grep { lc $_->[0] eq lc $name } @{$res->{headers}} }
sub set_cookies { my ($res) = @_; return hdrs($res, 'Set-Cookie') }

# ---- cookie jars -------------------------------------------------------------------------------------------

sub jar_update {
	my ($jar, $res) = @_;
	for (set_cookies($res)) {
		my ($pair, @attrs) = split /;\s*/;
		my ($n, $v) = split /=/, $pair, 2;
		if (grep { /^max-age=0$/i } @attrs) { delete $jar->{$n} }
		else { $jar->{$n} = $v }
	}
	return $jar;
}

sub jar_header {
	my ($jar) = @_;
	return join '; ', map {"$_=$jar->{$_}"} sort keys %$jar;
}

# ---- logins ------------------------------------------------------------------------------------------------

my @NAV = (Accept => 'text/html,application/xhtml+xml', 'Sec-Fetch-Mode' => 'navigate', 'Sec-Fetch-Dest' => 'document');

# A page navigation to $target (raw) on site $site; the site's answer. Cookies of the answer go to $o{jar}.
sub start_login {
	my ($site, $target, %o) = @_;
	my $jar = $o{jar} // {};
	my @h = (@NAV, %$jar ? (Cookie => jar_header($jar)) : (), @{$o{headers} // []});
	my $res = raw_request(port => $site, target => $target, headers => \@h, host => $o{host});
	jar_update($jar, $res);
	return $res;
}

# The tenant's answer to an authorization URL (autologin on): the callback URL it redirects to, or undef.
sub tenant_authorize {
	my ($url) = @_;
	my $u = URI->new($url);
	my $res = raw_request(port => $u->port, target => $u->path_query, headers => [Accept => 'text/html']);
	return undef unless $res->{status} == 302;
	return hdr($res, 'Location');
}

# The value of one query parameter of a URL (decoded), or undef.
sub query_param {
	my ($url, $name) = @_;
	return undef unless defined $url;
	return scalar URI->new($url)->query_param($name);
}

# Signs a jar in on $site (autologin must be on); returns the jar (undef on failure).
sub login {
	my ($site, %o) = @_;
	my $jar = $o{jar} // {};
	my $res = start_login($site, $o{target} // '/cgi/login', jar => $jar);
	return undef unless $res->{status} == 302;
	my $cb = tenant_authorize(hdr($res, 'Location')) // return undef;
	my $u = URI->new($cb);
	$res = raw_request(port => $site, target => $u->path_query, headers => [@NAV, Cookie => jar_header($jar)]);
	jar_update($jar, $res);
	return $res->{status} == 302 ? $jar : undef;
}

# ---- payloads ----------------------------------------------------------------------------------------------

sub unescape_payload {
	my ($p) = @_;
	my %esc = ('\\' => '\\', t => "\t", r => "\r", n => "\n", 0 => "\0");
	$p =~ s/\\(x([0-9a-fA-F]{2})|[\\trn0])/defined $2 ? chr(hex $2) : $esc{$1}/ge;
	return $p;
}

sub redirect_payloads {
	my $file = t_dir() . '/data/redirect-payloads.txt';
	open my $fh, '<:raw', $file or die "cannot read $file: $!";
	my @p;
	while (my $line = <$fh>) {
		chomp $line;
		next if $line =~ /^#/ || $line eq '';
		my ($family, $payload) = split /\t/, $line, 2;
		push @p, [$family, unescape_payload($payload), $payload];
	}
	return @p;
}

sub fill {
	my ($p, $port) = @_;
	$p =~ s/\{SELF\}/127.0.0.1:$port/g;
	$p =~ s/\{HOST\}/127.0.0.1/g;
	$p =~ s/\{PORT\}/$port/g;
	return $p;
}

sub pct_all {
	my ($s) = @_;
	$s =~ s/([^A-Za-z0-9_.~-])/sprintf('%%%02X', ord $1)/ge;
	return $s;
}

sub html_unescape {
	my ($s) = @_;
	return undef unless defined $s;
	$s =~ s/&quot;/"/g;
	$s =~ s/&lt;/</g;
	$s =~ s/&gt;/>/g;
	$s =~ s/&#0*39;/'/g;
	$s =~ s/&#x([0-9a-fA-F]+);/chr hex $1/ge;
	$s =~ s/&#(\d+);/chr $1/ge;
	$s =~ s/&amp;/&/g;
	return $s;
}

# ---- tokens ------------------------------------------------------------------------------------------------

my $JSONC = JSON::PP->new->canonical;

sub b64u { my ($b) = @_; my $s = MIME::Base64::encode_base64url($b); return $s }

# jwt(\%header or raw JSON text, \%claims or raw text, $signer): header.payload.signature, where $signer
# is a sub that signs the "header.payload" bytes (undef: an empty signature).
sub jwt {
	my ($header, $claims, $signer) = @_;
	my $h = b64u(ref $header ? $JSONC->encode($header) : $header);
	my $p = b64u(ref $claims ? $JSONC->encode($claims) : $claims);
	my $sig = $signer ? $signer->("$h.$p") : '';
	return "$h.$p." . b64u($sig);
}

# HMAC signer (Digest::SHA: an empty key is allowed, as an attacker would use it)
sub hmac_signer {
	my ($hash, $key) = @_;
	my %fn = (SHA256 => \&Digest::SHA::hmac_sha256, SHA384 => \&Digest::SHA::hmac_sha384, SHA512 => \&Digest::SHA::hmac_sha512);
	my $f = $fn{$hash} or die "no HMAC for $hash";
	return sub { $f->($_[0], $key) };
}

sub rsa_signer {
	my ($pk, $hash, $padding) = @_;
	return sub { $pk->sign_message($_[0], $hash // 'SHA256', $padding // 'v1.5') };
}

# The tenant's current signing key (its private key from the state directory) and its kid.
sub tenant_signing_key {
	my $pk = Crypt::PK::RSA->new("$ENV{AUTH0_TEST_STATE_DIR}/signing-current.key");
	return ($pk, $pk->export_key_jwk_thumbprint('SHA256'));
}

my $attacker;
sub attacker_key {
	$attacker //= do { my $k = Crypt::PK::RSA->new; $k->generate_key(256, 65537); $k };
	return ($attacker, $attacker->export_key_jwk_thumbprint('SHA256'));
}

# ---- liveness ----------------------------------------------------------------------------------------------

# Whether httpd still answers a plain request on $site (a new connection).
sub alive {
	my ($site) = @_;
	my $res = raw_request(port => $site // 'ATTACK', target => '/public/', close => 1, timeout => 10);
	close_connections();
	return $res->{status} >= 200 && $res->{status} < 500;
}

1;
