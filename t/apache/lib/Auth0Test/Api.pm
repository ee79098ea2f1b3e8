package Auth0Test::Api;

# Helpers of the API and authorization tests (t/api, t/authz), on top of
# Auth0Test: access tokens from the fake tenant, tweaks of the next one, and
# requests to httpd with a bearer token.

use strict;
use warnings;

use Exporter 'import';
use HTTP::Request;
use JSON::PP ();
use LWP::UserAgent;
use MIME::Base64 ();
use Auth0Test qw(url tenant_url);

our @EXPORT = qw(API_AUDIENCE token m2m_token user_token tweak_next_token bearer_get bearer_request
  www_authenticate decode_jwt encode_jwt_part update_client);

use constant API_AUDIENCE => 'https://api.example.com/';

my $JSON = JSON::PP->new->canonical->utf8;

my $ua;
sub _ua {
	$ua //= do {
		my $u = LWP::UserAgent->new(
			timeout    => 30,
			keep_alive => 0,
			ssl_opts   => {SSL_ca_file => $ENV{AUTH0_TEST_CA_FILE}, verify_hostname => 1},
		);
		$u->env_proxy(0);
		$u->no_proxy('127.0.0.1', 'localhost');
		$u;
	};
	return $ua;
}

# update_client($client_id, {FIELD => VALUE...}): the tenant's Management API changes an application's
# settings (as an admin would in the Dashboard), with a token of demo-m2m-client; the response.
sub update_client {
	my ($id, $fields) = @_;
	my $mgmt = token(grant_type => 'client_credentials', client_id => 'demo-m2m-client',
		client_secret => 'demo-m2m-secret', audience => tenant_url() . '/api/v2/')->{access_token};
	return _ua()->request(HTTP::Request->new(PATCH => tenant_url() . "/api/v2/clients/$id",
		['Authorization' => "Bearer $mgmt", 'Content-Type' => 'application/json'], $JSON->encode($fields)));
}

# token(FIELD => VALUE...): POSTs the tenant's /oauth/token; the decoded answer. Dies unless 200.
sub token {
	my (%form) = @_;
	my $res = _ua()->post(tenant_url() . '/oauth/token', \%form);
	die 'token request failed: ' . $res->status_line . ' ' . $res->decoded_content . "\n" unless $res->is_success;
	return $JSON->decode($res->content);
}

# An access token for the API from client credentials (sub demo-m2m-client@clients). Extra fields
# (organization, scope) go to the token request.
sub m2m_token {
	my (%extra) = @_;
	return token(grant_type => 'client_credentials', client_id => 'demo-m2m-client',
		client_secret => 'demo-m2m-secret', audience => API_AUDIENCE, %extra)->{access_token};
}

# An access token for a user from the password grant: alice (role admin) unless username/password say
# otherwise; scope defaults to "openid profile email read:messages".
sub user_token {
	my (%a) = @_;
	return token(
		grant_type    => 'password',
		client_id     => 'demo-web-client',
		client_secret => 'demo-web-secret',
		username      => $a{username} // 'alice@example.com',
		password      => $a{password} // 'Alice-Passw0rd!',
		audience      => API_AUDIENCE,
		scope         => $a{scope} // 'openid profile email read:messages',
		$a{organization} ? (organization => $a{organization}) : (),
	)->{access_token};
}

# Tweaks of the next access token the tenant issues (claims, exp_offset, header, bad_signature, alg, kid).
# Strings may hold any Unicode character (sent as UTF-8 JSON).
sub tweak_next_token {
	my (%spec) = @_;
	my $res = _ua()->post(tenant_url() . '/__control/tokens', 'Content-Type' => 'application/json',
		Content => $JSON->encode([{which => 'access', %spec}]));
	die 'tweak failed: ' . $res->status_line . ' ' . $res->decoded_content . "\n" unless $res->is_success;
	return $JSON->decode($res->content);
}

# bearer_get(PORT NAME, PATH, TOKEN or undef, HEADER => VALUE...): the response of httpd (plain http).
# A header value may be an array reference: the header is then sent once per element. Header names go
# out and come back exactly as written (X_Auth0_Sub stays with its underscores).
sub bearer_get { return bearer_request('GET', @_) }

# bearer_request(METHOD, PORT, PATH, TOKEN or undef, HEADER => VALUE or [VALUES], ...)
sub bearer_request {
	my ($method, $port, $path, $token, @headers) = @_;
	local $HTTP::Headers::TRANSLATE_UNDERSCORE = 0;
	my $req = HTTP::Request->new($method => url($port, $path, 'http'));
	$req->header(Authorization => "Bearer $token") if defined $token;
	while (my ($name, $value) = splice @headers, 0, 2) {
		$req->push_header($name => $_) for ref $value ? @$value : $value;
	}
	return _ua()->request($req);
}

sub www_authenticate { my ($res) = @_; return scalar($res->header('WWW-Authenticate')) // '' }

# The payload of a JWT, not verified.
sub decode_jwt {
	my ($jwt) = @_;
	my (undef, $payload) = split /\./, $jwt;
	return $JSON->decode(MIME::Base64::decode_base64url($payload));
}

# base64url of the JSON of a structure (to forge a JWT part).
sub encode_jwt_part { my ($data) = @_; return MIME::Base64::encode_base64url($JSON->encode($data)) }

1;
