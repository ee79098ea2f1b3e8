# AuthType Auth0Bearer: tokens from the fake tenant accepted, every kind of
# bad request or bad token answered with the exact RFC 6750 challenge.
use strict;
use warnings FATAL => 'all';

use Test::More;
use HTTP::Request;
use LWP::UserAgent;
use FindBin;
use lib "$FindBin::Bin/../../lib";
use Auth0Test;
use Auth0Test::Api;

my $V     = 'BEARER';
my $REALM = 'Bearer realm="https://api.example.com/"';

sub invalid { qq{$REALM, error="invalid_token", error_description="$_[0]"} }
sub bad_request { qq{$REALM, error="invalid_request", error_description="$_[0]"} }

# refused(TOKEN, DESCRIPTION, NAME, [PATH]): 401 with invalid_token and this description.
sub refused {
	my ($token, $description, $name, $path) = @_;
	my $res = bearer_get($V, $path // '/cgi/x', $token);
	is($res->code, 401, "$name: 401");
	is(www_authenticate($res), invalid($description), "$name: challenge");
	unlike($res->content, qr/REMOTE_USER/, "$name: the backend did not run");
}

reset_tenant();

# ---- no token, or not a bearer one ---------------------------------------------------------------
{
	my $res = bearer_get($V, '/cgi/x', undef);
	is($res->code, 401, 'no Authorization: 401');
	is(www_authenticate($res), $REALM, 'no Authorization: realm only, no error code');

	$res = bearer_get($V, '/cgi/x', undef, Authorization => 'Basic YWxpY2U6c2VjcmV0');
	is($res->code, 401, 'Basic credentials: 401');
	is(www_authenticate($res), $REALM, 'Basic credentials: a Bearer challenge without error');

	$res = bearer_get($V, '/cgi/x', undef, Authorization => 'Bearertoken');
	is(www_authenticate($res), $REALM, '"Bearertoken" is another scheme');

	$res = bearer_get($V, '/cgi-realm/x', undef);
	is(www_authenticate($res), 'Bearer realm="Example \"API\""', 'AuthName is the realm, quoted');
}

# ---- malformed requests: 400 invalid_request -------------------------------------------------------
{
	my $res = bearer_get($V, '/cgi/x', undef, Authorization => 'Bearer');
	is($res->code, 400, 'Bearer without token: 400');
	is(www_authenticate($res), bad_request('The Authorization header has no token'), 'Bearer without token: challenge');

	$res = bearer_get($V, '/cgi/x', undef, Authorization => 'Bearer abc def');
	is($res->code, 400, 'two words: 400');
	is(www_authenticate($res), bad_request('The bearer token has characters that are not allowed'), 'two words: challenge');

	$res = bearer_get($V, '/cgi/x', undef, Authorization => 'Bearer a"b');
	is($res->code, 400, 'quote in the token: 400');

	my $token = m2m_token();
	$res = bearer_get($V, '/cgi/x', undef, Authorization => ["Bearer $token", "Bearer $token"]);
	is($res->code, 400, 'two Authorization headers: 400');
	is(www_authenticate($res), bad_request('The request has more than one Authorization header or token'),
		'two Authorization headers: challenge');
	unlike($res->content, qr/REMOTE_USER/, 'two Authorization headers: the backend did not run');
}

# ---- good tokens ----------------------------------------------------------------------------------------
my $m2m = m2m_token();
{
	my $res = bearer_get($V, '/cgi/x', $m2m);
	is($res->code, 200, 'client-credentials token: 200');
	my $env = json_of($res);
	is($env->{REMOTE_USER}, 'demo-m2m-client@clients', 'REMOTE_USER is sub');
	is($env->{AUTH_TYPE}, 'Auth0Bearer', 'AUTH_TYPE');
	is($env->{AUTH0_CLAIM_gty}, 'client-credentials', 'a claim as a variable');
	is($env->{AUTH0_CLAIM_scope}, 'read:messages write:messages', 'scope as a variable');
	is($env->{HTTP_X_AUTH0_AZP}, 'demo-m2m-client', 'a claim as a header');
	is($env->{AUTH0_CLAIM_permissions}, 'read:messages,write:messages', 'an array joined with ,');
	is($env->{AUTH0_ACCESS_TOKEN}, $m2m, 'Auth0PassAccessToken: the token as a variable');
	is($env->{HTTP_X_AUTH0_ACCESS_TOKEN}, $m2m, 'Auth0PassAccessToken: the token as a header');
	my $exp = Auth0Test::Api::decode_jwt($m2m)->{exp};
	ok($exp, "the token's exp");
	is($env->{AUTH0_ACCESS_TOKEN_EXPIRES}, $exp, "Auth0PassAccessToken: the token's exp as a variable");
	is($env->{HTTP_X_AUTH0_ACCESS_TOKEN_EXPIRES}, $exp, "Auth0PassAccessToken: the token's exp as a header");

	$res = bearer_get($V, '/cgi/x', undef, Authorization => "bearer $m2m");
	is($res->code, 200, 'the scheme is case-insensitive');
	$res = bearer_get($V, '/cgi/x', undef, Authorization => "BEARER   $m2m");
	is($res->code, 200, 'several spaces after the scheme');
}
{
	my $token = user_token();
	my $res   = bearer_get($V, '/cgi/x', $token);
	is($res->code, 200, 'user token (password grant, aud also /userinfo): 200');
	my $env = json_of($res);
	is($env->{REMOTE_USER}, 'auth0|a11ce0000000000000000001', 'REMOTE_USER is the user id');
	is($env->{AUTH0_CLAIM_example_com_roles}, 'admin', 'namespaced claim: name without scheme, value');
	is($env->{HTTP_X_AUTH0_EXAMPLE_COM_ROLES}, 'admin', 'namespaced claim as a header');
	like($env->{AUTH0_CLAIM_aud}, qr{^https://api\.example\.com/,https://127\.0\.0\.1:\d+/userinfo$}, 'aud array');
}

# ---- invalid tokens -----------------------------------------------------------------------------------------
tweak_next_token(exp_offset => -86400 - 3600);
refused(m2m_token(), 'The access token expired', 'expired');

tweak_next_token(claims => {nbf => time + 3600});
refused(m2m_token(), 'The access token is not valid yet', 'nbf in the future');

tweak_next_token(claims => {iat => time + 3600});
refused(m2m_token(), 'The access token has an invalid issue time', 'iat in the future');

{
	my $res = bearer_get($V, '/cgi-other-audience/x', $m2m);
	is($res->code, 401, 'wrong audience (location): 401');
	is(www_authenticate($res),
		'Bearer realm="https://other.example.com/", error="invalid_token", error_description="The access token is not for this API"',
		'wrong audience (location): challenge, the realm is that API');
}
tweak_next_token(claims => {aud => 'https://other.example.com/'});
refused(m2m_token(), 'The access token is not for this API', 'wrong audience (token)');

tweak_next_token(claims => {iss => 'https://evil.example.com/'});
refused(m2m_token(), 'The access token was issued by another issuer', 'wrong issuer');

# Auth0BearerExtraIssuer and Auth0BearerExtraAudience: accepted where listed, refused elsewhere
for my $case (
	[{iss => 'https://login.example.com/'}, 'The access token was issued by another issuer', 'a custom domain\'s issuer'],
	[{iss => 'https://tenant.eu.auth0.com/'}, 'The access token was issued by another issuer',
		'the canonical domain (written in capitals, without a slash)'],
	[{aud => 'https://old.example.com/'}, 'The access token is not for this API', 'an extra audience'],
	[{aud => ['urn:other', 'urn:second-api']}, 'The access token is not for this API', 'an extra audience in a list'],
) {
	my ($claims, $description, $what) = @$case;
	tweak_next_token(claims => $claims);
	my $t = m2m_token();
	my $res = bearer_get($V, '/cgi-extra/x', $t);
	is($res->code, 200, "extra: $what: accepted where listed");
	is(json_of($res)->{REMOTE_USER}, 'demo-m2m-client@clients', "extra: $what: the user");
	refused($t, $description, "extra: $what, elsewhere");
}
tweak_next_token(claims => {iss => 'https://login.example.com'});
refused(m2m_token(), 'The access token was issued by another issuer', 'extra: an issuer without its slash', '/cgi-extra/x');
tweak_next_token(claims => {aud => 'https://old.example.com'});
refused(m2m_token(), 'The access token is not for this API', 'extra: an audience spelled otherwise', '/cgi-extra/x');
is(bearer_get($V, '/cgi-extra/x', m2m_token())->code, 200, 'extra: the domain\'s own tokens still');

tweak_next_token(bad_signature => 1);
refused(m2m_token(), 'The access token signature is invalid', 'bad signature');

tweak_next_token(alg => 'none');
refused(m2m_token(), 'The access token is not signed with an accepted algorithm', 'alg none');

tweak_next_token(alg => 'HS256-with-public-key');
refused(m2m_token(), 'The access token is not signed with an accepted algorithm', 'HS256 signed with the public key');

# (t/api/00-rotation.t runs first: this unknown kid makes the module refetch the keys, which it then
# does not do again for a minute)
tweak_next_token(kid => 'no-such-key');
refused(m2m_token(), 'The access token is signed with an unknown key', 'unknown kid');

tweak_next_token(header => {typ => 'JWT+id'});
refused(m2m_token(), 'The token is not an access token', 'typ is not an access-token type');

tweak_next_token(header => {typ => 'at+jwt'});
is(bearer_get($V, '/cgi/x', m2m_token())->code, 200, 'typ at+jwt accepted');

refused('eyJhbGciOiJSUzI1NiJ9.bm90LWpzb24.c2ln', 'The access token is malformed', 'payload is not JSON');
refused('not-a-jwt', 'The access token is malformed', 'not a JWT');

{
	# a token tampered with after signing: claims changed, signature kept
	my ($h, $p, $s) = split /\./, m2m_token();
	my $claims = decode_jwt("$h.$p.$s");
	$claims->{sub} = 'admin@clients';
	my $p2 = encode_jwt_part($claims);
	refused("$h.$p2.$s", 'The access token signature is invalid', 'payload changed after signing');
}

# ---- leeway (Auth0ClockSkew) --------------------------------------------------------------------------------
{
	tweak_next_token(exp_offset => -86400 - 20);
	my $token = m2m_token();    # expired 20 seconds ago
	is(bearer_get($V, '/cgi/x', $token)->code, 200, 'expired 20 s ago: accepted with the default 60 s leeway');
	refused($token, 'The access token expired', 'expired 20 s ago with Auth0ClockSkew 0', '/cgi-no-leeway/x');
}

# ---- organization ----------------------------------------------------------------------------------------------
refused($m2m, 'The access token is not for this organization', 'Auth0Organization: token without org', '/cgi-org/x');
{
	my $token = m2m_token(organization => 'org_acme123');
	my $res   = bearer_get($V, '/cgi-org/x', $token);
	is($res->code, 200, 'Auth0Organization: token for the organization');
	is(json_of($res)->{AUTH0_CLAIM_org_id}, 'org_acme123', 'org_id passed on');
}
is(bearer_get($V, '/cgi-org/any/x', $m2m)->code, 200,
	'Auth0Organization none, in a <Location> inside one that names an organization: a token without org passes');
# (Auth0Audience none under AuthType Auth0Bearer stops httpd at start-up: session/23-config-checks.t)

# ---- Auth0UserClaim ---------------------------------------------------------------------------------------------
{
	tweak_next_token(claims => {'https://example.com/email' => 'm2m@example.com'});
	my $res = bearer_get($V, '/cgi-email/x', m2m_token());
	is(json_of($res)->{REMOTE_USER}, 'm2m@example.com', 'Auth0UserClaim with a namespaced claim');
	$res = bearer_get($V, '/cgi-email/x', $m2m);
	is($res->code, 401, 'Auth0UserClaim absent from the token: 401');
	is(www_authenticate($res), invalid('The access token does not name a user'), 'no user claim: challenge');
}

# ---- Auth0Unauthenticated pass ------------------------------------------------------------------------------------
{
	my $res = bearer_get($V, '/cgi-pass/x', undef);
	is($res->code, 200, 'pass: no token, let through');
	is(json_of($res)->{REMOTE_USER} // '', '', 'pass: no user');
	$res = bearer_get($V, '/cgi-pass-scope/x', undef);
	is($res->code, 401, 'pass: Require auth0-scope without a token: 401');
	is(www_authenticate($res), $REALM, 'pass: Require auth0-scope without a token: realm only');
	is(bearer_get($V, '/cgi-pass-scope/x', $m2m)->code, 200, 'pass: Require auth0-scope with a token');
	$res = bearer_get($V, '/cgi-pass/x', $m2m);
	is(json_of($res)->{REMOTE_USER}, 'demo-m2m-client@clients', 'pass: with a token, a user');
	$res = bearer_get($V, '/cgi-pass/x', 'not-a-jwt');
	is($res->code, 401, 'pass: a bad token is still refused');
}

# ---- CORS preflights (Auth0CORSPreflight) ------------------------------------------------------------------------
# A browser asks before a cross-origin call with an Authorization header, and the question carries no
# credentials: refused, the call itself would never be sent.
{
	my @asks = (Origin => 'https://spa.example', 'Access-Control-Request-Method' => 'GET',
		'Access-Control-Request-Headers' => 'authorization');
	my $res = bearer_request('OPTIONS', $V, '/cgi/x', undef, @asks, 'X-Auth0-email' => 'mallory@example.com');
	is($res->code, 204, 'preflight: answered 204 without a token');
	is($res->content, '', 'preflight: no body');
	is($res->header('WWW-Authenticate'), undef, 'preflight: no challenge');
	like($res->header('Vary') // '', qr/Origin/, 'preflight: Vary: Origin');
	$res = bearer_request('OPTIONS', $V, '/cgi-scope/x', undef, @asks);
	is($res->code, 204, 'preflight: Require auth0-scope lets it through too');
	is($res->header('Access-Control-Allow-Origin'), 'https://spa.example', '... with the site\'s CORS headers (mod_headers)');
	is(bearer_get($V, '/cgi-scope/x', undef, Origin => 'https://spa.example')->code, 401,
		'... but not the cross-origin GET without a token');

	$res = bearer_request('OPTIONS', $V, '/cgi-preflight-backend/x', undef, @asks, 'X-Auth0-email' => 'mallory@example.com');
	is($res->code, 200, 'Auth0CORSPreflight backend: the backend answers it');
	my $env = json_of($res);
	is($env->{REMOTE_USER} // '', '', '... without a user');
	is_deeply([grep { /^(HTTP_X_AUTH0|AUTH0_)/ } sort keys %$env], [], '... and without identity, spoofed or other');

	$res = bearer_request('OPTIONS', $V, '/cgi/x', undef, Origin => 'https://spa.example');
	is($res->code, 401, 'OPTIONS without Access-Control-Request-Method is not a preflight: 401');
	is(www_authenticate($res), $REALM, '... with the challenge');
	is(bearer_request('OPTIONS', $V, '/cgi/x', undef, 'Access-Control-Request-Method' => 'GET')->code, 401,
		'OPTIONS without Origin is not a preflight: 401');
	my $with_body = HTTP::Request->new(OPTIONS => url($V, '/cgi-preflight-backend/x', 'http'),
		[@asks, 'Content-Type' => 'text/plain'], 'hello');
	is(LWP::UserAgent->new->request($with_body)->code, 401, 'OPTIONS with a body is not a preflight: 401');
	is(bearer_request('POST', $V, '/cgi/x', undef, @asks)->code, 401, 'a POST with preflight headers: 401');
	$res = bearer_request('OPTIONS', $V, '/cgi-no-preflight/x', undef, @asks);
	is($res->code, 401, 'Auth0CORSPreflight auth: a preflight gets 401');
	is(www_authenticate($res), $REALM, '... with the challenge');
}

# ---- the tenant cannot be reached and no keys are cached: 503, not 401 --------------------------------------------
{
	my $res = bearer_get($V, '/down/x', $m2m);
	is($res->code, 503, 'JWKS unreachable: 503');
	is(www_authenticate($res), '', 'JWKS unreachable: no challenge (the token is not known to be bad)');
}

refused_at_start(free_port(), 'Auth0BearerExtraIssuer ftp://login.example.com',
	qr/Auth0BearerExtraIssuer: 'ftp:\/\/login\.example\.com': /);
refused_at_start(free_port(), 'Auth0BearerExtraIssuer http://login.example.com', qr/Auth0BearerExtraIssuer: .*http/);
refused_at_start(free_port(), 'Auth0BearerExtraAudience', qr/Auth0BearerExtraAudience/);

done_testing();
