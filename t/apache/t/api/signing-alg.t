# Auth0BearerSigningAlg: an API set to sign its access tokens with PS256 (RSA-PSS, the tenant's RSA keys)
# is served with Auth0BearerSigningAlg PS256, and only that algorithm is accepted where it is set: PS256
# tokens are refused under the default RS256 and RS256 tokens under PS256, also after the token was
# accepted (and cached) in a location with the other algorithm. HS256 (the API's own secret) is refused at
# start-up.
use strict;
use warnings FATAL => 'all';

use Test::More;
use HTTP::Request;
use JSON::PP ();
use LWP::UserAgent;
use MIME::Base64 ();
use FindBin;
use lib "$FindBin::Bin/../../lib";
use Auth0Test;
use Auth0Test::Api;

my $t       = t_dir();
my $PS_API  = 'https://ps256-api.example.com/';
my $ALG_MSG = 'The access token is not signed with an accepted algorithm';

sub site {
	my ($port) = @_;
	return <<"EOC";
Listen 127.0.0.1:$port http
<VirtualHost 127.0.0.1:$port>
    ServerName 127.0.0.1
    ScriptAliasMatch /x\$ "$t/t/api/cgi/echo.cgi"
    Auth0Domain "$ENV{AUTH0_TEST_DOMAIN}"
    Auth0CACertificateFile "$ENV{AUTH0_TEST_CA_FILE}"
    <Location /ps/>
        AuthType Auth0Bearer
        Require valid-user
        Auth0Audience $PS_API
        Auth0BearerSigningAlg PS256
    </Location>
    # nested: inherits PS256, or sets RS256 again
    <Location /ps/rs/>
        Auth0BearerSigningAlg rs256
    </Location>
    <Location /ps-default/>
        AuthType Auth0Bearer
        Require valid-user
        Auth0Audience $PS_API
    </Location>
    <Location /rs/>
        AuthType Auth0Bearer
        Require valid-user
        Auth0Audience ${\API_AUDIENCE}
    </Location>
    <Location /rs-as-ps/>
        AuthType Auth0Bearer
        Require valid-user
        Auth0Audience ${\API_AUDIENCE}
        Auth0BearerSigningAlg PS256
    </Location>
    # internal redirects from /ps/ (PS256): into a location inside it (the identity is inherited), into
    # /ps-default/ (the same audience, RS256) and into /ps-skew/ (PS256, another Auth0ClockSkew): a token
    # checked with one algorithm or leeway is checked with the target's, never inherited
    <Location /ps/to-ps/>
        RewriteEngine On
        RewriteRule ^ /ps/inner/x [PT]
    </Location>
    <Location /ps/to-rs/>
        RewriteEngine On
        RewriteRule ^ /ps-default/x [PT]
    </Location>
    <Location /ps/to-skew/>
        RewriteEngine On
        RewriteRule ^ /ps-skew/x [PT]
    </Location>
    <Location /ps-skew/>
        AuthType Auth0Bearer
        Require valid-user
        Auth0Audience $PS_API
        Auth0BearerSigningAlg PS256
        Auth0ClockSkew 0
    </Location>
</VirtualHost>
EOC
}

sub ok_at {
	my ($base_port, $path, $token, $name) = @_;
	my $res = bearer_get_at($base_port, $path, $token);
	is($res->code, 200, "$name: 200");
	is(json_of($res)->{REMOTE_USER}, 'demo-m2m-client@clients', "$name: the token's user");
}

sub refused_at {
	my ($base_port, $path, $token, $description, $name) = @_;
	my $res = bearer_get_at($base_port, $path, $token);
	is($res->code, 401, "$name: 401");
	like(www_authenticate($res), qr/error="invalid_token", error_description="\Q$description\E"$/, "$name: why");
}

# bearer_get on a port of its own (the suite's ports are named)
sub bearer_get_at {
	my ($port, $path, $token) = @_;
	my $req = HTTP::Request->new(GET => "http://127.0.0.1:$port$path");
	$req->header(Authorization => "Bearer $token");
	my $ua = LWP::UserAgent->new(timeout => 30, keep_alive => 0);
	$ua->env_proxy(0);
	return $ua->request($req);
}

reset_tenant();
my $ps = m2m_token(audience => $PS_API);
my $rs = m2m_token();
is(decode_jwt_header($ps)->{alg}, 'PS256', 'the tenant signs the PS256 API\'s tokens with PS256');
is(decode_jwt_header($rs)->{alg}, 'RS256', '... and the example API\'s with RS256');

sub decode_jwt_header {
	my ($jwt) = @_;
	my ($h) = split /\./, $jwt;
	return JSON::PP->new->decode(MIME::Base64::decode_base64url($h));
}

# Auth0 signs PS256 with the keys it signs RS256 with: JWKS keys that say "alg": "RS256" do not verify PS256
# (libauth0 honours a JWK's alg), so such an API needs the tenant's JWKS without alg (remove_alg_from_jwks).
{
	my $port = free_port();
	my ($h, $out) = httpd_start(site($port));
	ok($h, 'httpd starts with Auth0BearerSigningAlg PS256') or diag $out;
	refused_at($port, '/ps/x', $ps, 'The access token is signed with an unknown key',
		'a JWKS whose keys say alg RS256: a PS256 token');
	httpd_stop($h);
}

settings(remove_alg_from_jwks => 1);
my $port = free_port();
my ($h, $out) = httpd_start(site($port));
ok($h, 'httpd starts') or diag $out;

ok_at($port, '/ps/x', $ps, 'a PS256 token under Auth0BearerSigningAlg PS256');
ok_at($port, '/ps/inner/x', $ps, '... and in a location inside that inherits it');
for my $n (1 .. 2) {
	# accepted (and cached) under PS256 just before: each location's own algorithm decides
	refused_at($port, '/ps-default/x', $ps, $ALG_MSG, "the same PS256 token under the default RS256 ($n)");
	refused_at($port, '/ps/rs/x', $ps, $ALG_MSG, "the same PS256 token where a nested location sets RS256 ($n)");
}

ok_at($port, '/rs/x', $rs, 'an RS256 token under the default RS256');
for my $n (1 .. 2) {
	refused_at($port, '/rs-as-ps/x', $rs, $ALG_MSG, "the same RS256 token under Auth0BearerSigningAlg PS256 ($n)");
}

# internal redirects: the identity a PS256 location accepted is inherited only where it would be checked
# the same way (mod_auth0.c inherited_counts)
ok_at($port, '/ps/to-ps/x', $ps, 'an internal redirect into a location with the same algorithm and leeway');
ok_at($port, '/ps-skew/x', $ps, 'the PS256 token where Auth0ClockSkew is 0');
for my $case (['/ps/to-rs/x', '/ps-default/x', 'into the same audience under RS256'],
              ['/ps/to-skew/x', '/ps-skew/x', 'into the same audience and algorithm with another Auth0ClockSkew']) {
	my ($from, $to, $name) = @$case;
	my $res = bearer_get_at($port, $from, $ps);
	is($res->code, 403, "an internal redirect from PS256 $name: refused, not inherited");
	like(log_of($h), qr{\Q$to\E, reached by a sub-request or internal redirect, asks more of the identity},
		'... and the log says where');
}

# and in the other order: refused first, then accepted where its algorithm is expected
my $ps2 = m2m_token(audience => $PS_API);
refused_at($port, '/ps-default/x', $ps2, $ALG_MSG, 'a new PS256 token under RS256 first');
ok_at($port, '/ps/x', $ps2, '... then under PS256');
httpd_stop($h);
settings(remove_alg_from_jwks => 0);

# ---- values refused at start-up ---------------------------------------------------------------------------------------
refused_at_start(free_port(), "Auth0BearerSigningAlg HS256",
	qr/Auth0BearerSigningAlg: HS256 is not supported: such access tokens are signed with the API's signing secret, which this module does not hold/);
refused_at_start(free_port(), "Auth0BearerSigningAlg ES256", qr/Auth0BearerSigningAlg: 'ES256' is not one of: RS256, PS256/);

done_testing();
