# Auth0BearerTokenFrom: where AuthType Auth0Bearer reads the token.
#   query         the access_token parameter (RFC 6750 section 2.3), removed from the request before
#                 anything reads it: the CGI's query and target, a proxied request, the access log's line;
#   cookie:NAME   a cookie, only from this origin's pages or, for GET, from requests that say nothing of
#                 where they come from (cross-site request forgery, WebSocket hijacking);
#   header        the Authorization header (the default, and the only source where the directive is unset).
# One way per request: a header and a query token together, two query tokens, an empty one or a query that
# does not decode are 400 invalid_request; the cookie only stands in for a token sent no other way.
# Bad values of the directive stop httpd at start-up.
use strict;
use warnings FATAL => 'all';

use Test::More;
use JSON::PP ();
use FindBin;
use lib "$FindBin::Bin/../../lib";
use Auth0Test;
use Auth0Test::Api;
use Auth0Test::Attacks qw(raw_request);

my $V    = 'BEARER';
my $SUB  = 'demo-m2m-client@clients';
my $SELF = 'http://127.0.0.1:' . port($V);

reset_tenant();
my $token = m2m_token();
my $other = m2m_token();    # another valid token, to tell which one was used

# The access log's line of the request whose target contains $marker (httpd writes it after the
# response: waited for, 10 s at most).
sub access_line {
	my ($marker) = @_;
	my $file = t_dir() . '/logs/access_log';
	my $line;
	wait_until(10, sub {
		open(my $fh, '<', $file) or return 0;
		($line) = grep { index($_, $marker) >= 0 } <$fh>;
		return defined $line;
	});
	return $line // '';
}

# ---- the query -------------------------------------------------------------------------------------------
{
	my $res = bearer_get($V, "/from/q1?x=1&access_token=$token&y=a%20b", undef);
	is($res->code, 200, 'query: a valid token lets the request in');
	my $env = json_of($res);
	is($env->{REMOTE_USER}, $SUB, 'query: the token names the user');
	is($env->{QUERY_STRING}, 'x=1&y=a%20b', 'query: the CGI gets the query without the token, the rest as sent');
	is($env->{REQUEST_URI}, '/from/q1?x=1&y=a%20b', 'query: and the target without it');
	is($env->{HTTP_X_AUTH0_ACCESS_TOKEN}, $token, 'query: Auth0PassAccessToken passes the token that was used');
	my $line = access_line('/from/q1');
	like($line, qr{"GET /from/q1\?x=1&y=a%20b HTTP/1\.1" 200 }, 'query: the access log has the request line without it');
	unlike($line, qr/access_token|\Q$token\E/, 'query: the access log has no token');

	$res = bearer_get($V, "/from/q2?access_token=$token", undef);
	is($res->code, 200, 'query: the token as the only parameter');
	$env = json_of($res);
	is($env->{QUERY_STRING} // '', '', 'query: nothing left of the query');
	is($env->{REQUEST_URI}, '/from/q2', 'query: no ? left on the target');

	# the name decoded as any form's (access%5Ftoken is access_token): read, and removed as well
	$res = bearer_get($V, "/from/q3?access%5Ftoken=$token&z=1", undef);
	is($res->code, 200, 'query: an encoded name is the same parameter');
	is(json_of($res)->{QUERY_STRING}, 'z=1', 'query: ... and removed too');

	$res = bearer_get($V, "/proxy-from/p1?k=v&access_token=$token", undef);
	is($res->code, 200, 'query: through a reverse proxy');
	$env = json_of($res);
	is($env->{QUERY_STRING}, 'k=v', 'query: the backend gets the query without the token');
	is($env->{REQUEST_URI}, '/query/p1?k=v', 'query: and the target without it');
	unlike(access_line('/proxy-from/p1'), qr/\Q$token\E/, 'query: proxied: no token in the access log');

	$res = bearer_get($V, '/from/q4?access_token=not.a.jwt&n=1', undef);
	is($res->code, 401, 'query: a token that does not validate: 401');
	like(www_authenticate($res), qr/error="invalid_token"/, 'query: ... invalid_token');
	unlike(access_line('/from/q4'), qr/not\.a\.jwt/, 'query: a refused token is not logged either');
	like(access_line('/from/q4'), qr{"GET /from/q4\?n=1 HTTP}, 'query: ... the rest of its line is');

	$res = bearer_get($V, "/from/query-only/q5?access_token=$token", undef);
	is($res->code, 200, 'query only: a query token is read');
	$res = bearer_get($V, '/from/query-only/q6', $token);
	is($res->code, 401, 'query only: the Authorization header is not read');
	is(www_authenticate($res), 'Bearer realm="https://api.example.com/"', 'query only: ... a bare challenge');

	$res = bearer_get($V, "/from-default/q7?access_token=$token", undef);
	is($res->code, 401, 'default (header): a query token is not read');

	# the token leaves every request of a location that reads it, before mod_proxy, authorization or an
	# error decide anything
	$res = bearer_get($V, "/proxy-nocanon/p2?k=v&access_token=$token", undef);
	is($res->code, 200, 'query, ProxyPass nocanon: 200');
	is(json_of($res)->{QUERY_STRING}, 'k=v', 'query, ProxyPass nocanon: the backend gets the query without the token');
	unlike(access_line('/proxy-nocanon/p2'), qr/\Q$token\E/, 'query, ProxyPass nocanon: no token in the access log');
	$res = bearer_get($V, "/from/open/q8?access_token=$token&o=1", undef);
	is($res->code, 200, 'query, Require all granted (no authentication): 200');
	is(json_of($res)->{QUERY_STRING}, 'o=1', '... the CGI gets the query without the token all the same');
	is(json_of($res)->{REMOTE_USER} // '', '', '... and no user');
	unlike(access_line('/from/open/q8'), qr/\Q$token\E/, '... no token in the access log');
	$res = bearer_request('OPTIONS', $V, "/from/q9?access_token=$token", undef, Origin => 'https://spa.example',
		'Access-Control-Request-Method' => 'GET');
	unlike(access_line('/from/q9'), qr/\Q$token\E/, 'query, a CORS preflight: no token in the access log');

	# empty pairs are not tokens: kept as they came
	$res = bearer_get($V, '/from/q15?access_token_hint=1&x.access_token=2&access_token[=3', $token);
	is($res->code, 200, 'query: names that no backend reads as access_token are no look-alikes');
	$res = bearer_get($V, '/from/q10?&x=1&', $token);
	is($res->code, 200, 'query with empty pairs and a header token: 200');
	is(json_of($res)->{QUERY_STRING}, '&x=1&', '... the query as it came');

	# the answer to a query or cookie token is for its user only: shared caches key on neither
	$res = bearer_get($V, "/from/q11?access_token=$token", undef);
	like($res->header('Cache-Control') // '', qr/\bprivate\b/, 'query: Cache-Control private');
	is($res->header('Referrer-Policy'), 'no-referrer', 'query: the page\'s own loads send no Referer with the token');
	# what a backend may read as access_token leaves the query too, also where nothing is authenticated
	$res = bearer_get($V, '/from/open/q16?ACCESS_TOKEN=abc&x=1&y=2;access.token=def&access_token[]=g', undef);
	is($res->code, 200, 'query, no authentication: look-alikes in the query');
	is(json_of($res)->{QUERY_STRING}, 'x=1', 'query, no authentication: the backend gets none of them');
	unlike(access_line('/from/open/q16'), qr/abc|def|=g/, 'query, no authentication: nor the access log');
	$res = bearer_get($V, '/from/q17?Access_Token=abc', undef);
	is($res->code, 400, 'query: a look-alike and no token: 400 (a client meant it for the token)');
	unlike(access_line('/from/q17'), qr/abc/, 'query: ... not in the access log');
	$res = bearer_get($V, "/from/open/q14?access_token=$token", undef);
	like($res->header('Cache-Control') // '', qr/\bprivate\b/, 'query, no authentication: Cache-Control private all the same');
	$res = bearer_get($V, '/from/q12', undef, Cookie => "api_token=$token");
	like($res->header('Cache-Control') // '', qr/\bprivate\b/, 'cookie: Cache-Control private');
	$res = bearer_get($V, '/from/q13', $token);
	unlike($res->header('Cache-Control') // '', qr/private/, 'header: no Cache-Control added (caches keep no answer to Authorization)');
}

# ---- requests httpd refuses before it maps their URL --------------------------------------------------------
# They have no location, so no Auth0BearerTokenFrom took their token out; where any location reads the query,
# the token leaves their request line before the access log sees it. Sent raw: a client library would mend them.
{
	my $port = port($V);
	for my $case (
		['/from/../../unmapped1?x=1&access_token=' . $token, 400, 'a path above the root'],
		['/from/a%2Funmapped2?access_token=' . $token . '&x=1', 404, 'an encoded slash (AllowEncodedSlashes Off)'],
		['/from/unmapped3?access_token=' . $token, 400, 'a header line without a colon', "Bad header line\r\n"],
	) {
		my ($target, $status, $what, $extra) = @$case;
		my $raw = "GET $target HTTP/1.1\r\nHost: 127.0.0.1:$port\r\n" . ($extra // '') . "Connection: close\r\n\r\n";
		my $res = raw_request(port => $port, tls => 0, raw => $raw, close => 1);
		is($res->{status}, $status, "unmapped, $what: $status");
		my ($marker) = $target =~ m{(unmapped\d)\?};
		my $line = access_line($marker);
		like($line, qr/"GET [^"]*\Q$marker\E/, "unmapped, $what: its line is in the access log");
		unlike($line, qr/access_token|\Q$token\E/, "unmapped, $what: without the token");
	}
	# their ErrorDocument (a CGI on the other host) gets neither REQUEST_URI nor REDIRECT_QUERY_STRING with it
	my $port2 = port('BEARER2');
	for my $case (['/x/../../unmapped4?k=1&access_token=' . $token, 400], ['/x/a%2Funmapped5?k=1&access_token=' . $token, 404]) {
		my ($target, $status) = @$case;
		my $raw = "GET $target HTTP/1.1\r\nHost: 127.0.0.1:$port2\r\nConnection: close\r\n\r\n";
		my $res = raw_request(port => $port2, tls => 0, raw => $raw, close => 1);
		is($res->{status}, $status, "unmapped, ErrorDocument: $status");
		my $env = eval { JSON::PP::decode_json($res->{body}) } // {};
		is($env->{REDIRECT_STATUS}, $status, 'unmapped, ErrorDocument: the error page\'s CGI ran');
		is($env->{REDIRECT_QUERY_STRING}, 'k=1', 'unmapped, ErrorDocument: REDIRECT_QUERY_STRING without the token');
		unlike($env->{REQUEST_URI} // 'none', qr/access_token/, 'unmapped, ErrorDocument: REQUEST_URI without it');
	}
	# the rest of the query stays, and a location that does not read the query keeps its line as it came
	like(access_line('unmapped1?'), qr{"GET /from/\.\./\.\./unmapped1\?x=1 HTTP/1\.1" 400 }, 'unmapped: the rest of the line as sent');
	my $res = bearer_get($V, '/from-default/u4?access_token=kept', $token);
	is($res->code, 200, 'a location without query: 200');
	like(access_line('/from-default/u4'), qr{/from-default/u4\?access_token=kept }, '... its line is not touched');
}

# ---- one way per request ---------------------------------------------------------------------------------
for my $case (
	["/from/d1?access_token=$token", $token, 'a header and a query token'],
	["/from/d2?access_token=$token&access_token=$token", undef, 'two query tokens'],
	['/from/d3?access_token=', undef, 'an empty query token'],
	["/from/d4?access_token=$token&bad=%ZZ", undef, 'a query that does not decode'],
	["/from/d6?access_token=$token%ZZ&k=1", undef, 'a query token that does not decode'],
	# what a backend may read as access_token besides it: the module would check one token, the backend use another
	["/from/d7?x=1;access_token=abc&access_token=$token", undef, "a second token after a ';'"],
	["/from/d8?ACCESS_TOKEN=abc&access_token=$token", undef, 'a second token in capitals'],
	["/from/d9?access.token=abc&access_token=$token", undef, "a second token that PHP reads as access_token"],
	["/from/d10?access_token[]=abc&access_token=$token", undef, 'a second token as an array (PHP, Rack)'],
	["/from/d11?+access_token=abc&access_token=$token", undef, 'a second token after a blank (PHP)'],
	# a look-alike beside a token sent another way: the backend would still read it
	['/from/d12?ACCESS_TOKEN=abc', $token, 'a header token and a look-alike in the query'],
	['/from/d13?a=1;access_token=abc', undef, "a cookie token and a look-alike after a ';'",
		Cookie => "api_token=$token"],
	# the header refused first: the query's token still leaves the request (found by fuzz_bearer)
	["/from/d5?access_token=$token", undef, 'two Authorization headers and a query token',
		Authorization => ['Bearer abc', 'Bearer def']],
) {
	my ($path, $header, $what, @more) = @$case;
	my $res = bearer_get($V, $path, $header, @more);
	is($res->code, 400, "$what: 400");
	like(www_authenticate($res), qr/error="invalid_request"/, "$what: invalid_request");
	my ($name) = $path =~ m{^(/from/d\d+)};
	unlike(access_line($name), qr/\Q$token\E/, "$what: no token in the access log");
}

# ---- the cookie ------------------------------------------------------------------------------------------
{
	my @cookie = (Cookie => "theme=dark; api_token=$token; x=y");
	my $res = bearer_get($V, '/from/c1', undef, @cookie);
	is($res->code, 200, 'cookie: GET without any sign of where it comes from: read');
	is(json_of($res)->{REMOTE_USER}, $SUB, 'cookie: the token names the user');
	# as the query's token, the cookie's is not the backend's (Auth0PassAccessToken passes it): taken out
	is(json_of($res)->{HTTP_COOKIE}, 'theme=dark; x=y', 'cookie: the backend gets the other cookies, not the token');
	$res = bearer_get($V, '/from/c1b', $token, Cookie => 'api_token=stale; api_tokens=kept');
	is(json_of($res)->{HTTP_COOKIE}, 'api_tokens=kept', 'cookie: taken out when the header\'s token is used too');
	$res = bearer_get($V, '/from-default/c1c', $token, Cookie => 'api_token=kept');
	is(json_of($res)->{HTTP_COOKIE}, 'api_token=kept', 'cookie: a location that does not read it leaves it');

	$res = bearer_get($V, '/from/c2', undef, @cookie, 'Sec-Fetch-Site' => 'same-origin');
	is($res->code, 200, 'cookie: from this origin (Sec-Fetch-Site): read');
	$res = bearer_get($V, '/from/c3', undef, @cookie, 'Sec-Fetch-Site' => 'cross-site');
	is($res->code, 401, 'cookie: a GET from another site: not read');
	$res = bearer_get($V, '/from/c4', undef, @cookie, 'Sec-Fetch-Site' => 'same-site');
	is($res->code, 401, 'cookie: from another origin of the same site: not read');
	$res = bearer_get($V, '/from/c5', undef, @cookie, Origin => 'https://evil.example');
	is($res->code, 401, 'cookie: a WebSocket-like request with a foreign Origin: not read');
	$res = bearer_get($V, '/from/c6', undef, @cookie, Origin => $SELF);
	is($res->code, 200, 'cookie: with this origin as Origin: read');

	$res = bearer_request('POST', $V, '/from/c7', undef, @cookie);
	is($res->code, 401, 'cookie: a POST that says nothing of where it comes from: not read');
	$res = bearer_request('POST', $V, '/from/c8', undef, @cookie, Origin => $SELF);
	is($res->code, 200, 'cookie: a POST from this origin (Origin): read');
	$res = bearer_request('POST', $V, '/from/c9', undef, @cookie, Referer => "$SELF/page");
	is($res->code, 200, 'cookie: a POST from this origin (Referer): read');
	$res = bearer_request('POST', $V, '/from/c10', undef, @cookie, 'Sec-Fetch-Site' => 'cross-site',
		Origin => $SELF);
	is($res->code, 401, 'cookie: Sec-Fetch-Site decides over Origin');

	# the header's token is the one used; the cookie, sent with every request, does not make it two ways
	$res = bearer_get($V, '/from/c11', $other, Cookie => 'api_token=not.a.jwt');
	is($res->code, 200, 'cookie: a header token is used before the cookie');
	is(json_of($res)->{HTTP_X_AUTH0_ACCESS_TOKEN}, $other, 'cookie: ... the header\'s token');
	$res = bearer_get($V, '/from/c12', undef, Cookie => 'api_token=not.a.jwt');
	is($res->code, 401, 'cookie: a cookie token that does not validate: 401');
	like(www_authenticate($res), qr/error="invalid_token"/, 'cookie: ... invalid_token');
	$res = bearer_get($V, '/from/c13', undef, Cookie => 'api_token=; theme=dark');
	is($res->code, 401, 'cookie: an empty cookie is no token');
	is(www_authenticate($res), 'Bearer realm="https://api.example.com/"', 'cookie: ... a bare challenge');
	$res = bearer_get($V, '/from/c17', undef, Cookie => "api_token=$token; api_token=$other");
	is($res->code, 400, 'cookie: two token cookies (another host may set one for the parent domain): 400');
	like(www_authenticate($res), qr/error="invalid_request"/, 'cookie: ... invalid_request');
	# cookies a backend reads as api_token (PHP: '.', blanks and '[' as '_', names decoded, arrays; ASP.NET:
	# without case): it would act on one token and the module check the other
	for my $lookalike ('api.token', 'API_Token', 'api%5Ftoken', ' api token', 'api_token[x]') {
		$res = bearer_get($V, '/from/c23', undef, Cookie => "$lookalike=abc; api_token=$token");
		is($res->code, 400, "cookie: a look-alike cookie '$lookalike' before the token cookie: 400");
		$res = bearer_get($V, '/from/c24', undef, Cookie => "api_token=$token; $lookalike=abc");
		is($res->code, 400, "cookie: ... after it: 400");
	}
	like(www_authenticate($res), qr/error="invalid_request"/, 'cookie: a look-alike: invalid_request');
	$res = bearer_get($V, '/from/c25', undef, Cookie => "api_tokens=abc; xapi_token=d; api-token=e; api_token=$token");
	is($res->code, 200, 'cookie: names that no backend reads as api_token are no look-alikes');
	$res = bearer_get($V, '/from/c26', $token, Cookie => 'api.token=abc; API_TOKEN=d; theme=dark');
	is($res->code, 200, 'cookie: a look-alike beside a header token (the cookie is not read): 200');
	is(json_of($res)->{HTTP_COOKIE}, 'theme=dark', 'cookie: ... the look-alikes do not reach the backend either');
	$res = bearer_get($V, '/from/c18', undef, @cookie, 'Sec-Fetch-Site' => 'none');
	is($res->code, 200, 'cookie: Sec-Fetch-Site none (typed, bookmarked): read');
	$res = bearer_get($V, '/from/c19', undef, @cookie, Origin => 'null');
	is($res->code, 401, 'cookie: Origin null (a sandboxed or opaque page): not read');
	$res = bearer_request('HEAD', $V, '/from/c20', undef, @cookie);
	is($res->code, 200, 'cookie: HEAD without signals: read, as GET');
	# an ErrorDocument runs its page with the method set to GET: the browser's method still decides
	$res = bearer_get($V, '/missing/c21', undef, @cookie);
	like($res->decoded_content // '', qr/\Q$SUB\E/, 'cookie, ErrorDocument of a GET without signals: read');
	$res = bearer_request('POST', $V, '/missing/c22', undef, @cookie);
	unlike($res->decoded_content // '', qr/\Q$SUB\E/, 'cookie, ErrorDocument of a POST without signals: not read');

	# Auth0Unauthenticated pass: a cookie from another site is not used, so the request goes on anonymously
	$res = bearer_get($V, '/from-pass/c14', undef, @cookie, 'Sec-Fetch-Site' => 'cross-site');
	is($res->code, 200, 'cookie, pass: a cross-site request passes');
	is(json_of($res)->{REMOTE_USER} // '', '', 'cookie, pass: ... as nobody');
	$res = bearer_get($V, '/from-pass/c15', undef, @cookie);
	is(json_of($res)->{REMOTE_USER}, $SUB, 'cookie, pass: the same request from this site is the user');
	$res = bearer_get($V, '/from-pass/c16', $token);
	is(json_of($res)->{REMOTE_USER} // '', '', 'cookie only: the Authorization header is not read');
}

# ---- the token as a Basic password ------------------------------------------------------------------------
{
	use MIME::Base64 qw(encode_base64);
	my $basic = sub { 'Basic ' . encode_base64($_[0], '') };
	my $res = bearer_get($V, '/from-basic/b1', undef, Authorization => $basic->("git:$token"));
	is($res->code, 200, 'basic: a valid token as the password');
	is(json_of($res)->{REMOTE_USER}, $SUB, 'basic: the token names the user (not the Basic user name)');
	is(json_of($res)->{HTTP_X_AUTH0_ACCESS_TOKEN}, $token, 'basic: the token passed on is the password');
	is(json_of($res)->{HTTP_AUTHORIZATION}, "Bearer $token",
		'basic: the backend gets the token as Bearer, not the client\'s user name (mod_php would take it for the user)');
	$res = bearer_get($V, '/from-basic/b2', undef, Authorization => $basic->(":$token"));
	is($res->code, 200, 'basic: an empty user name');
	$res = bearer_get($V, '/from-basic/b3', undef, Authorization => $basic->('git:not.a.jwt'));
	is($res->code, 401, 'basic: a password that is no valid token: 401');
	my @challenges = $res->header('WWW-Authenticate');
	like($challenges[0] // '', qr/^Bearer realm="[^"]+", error="invalid_token"/, 'basic: ... invalid_token');
	is($challenges[1], 'Basic realm="https://api.example.com/", charset="UTF-8"', 'basic: ... and a Basic challenge');
	$res = bearer_get($V, '/from-basic/b4', undef);
	is($res->code, 401, 'basic: no credentials: 401');
	@challenges = $res->header('WWW-Authenticate');
	is(scalar @challenges, 2, 'basic: ... two challenges, so that git or curl ask for a password');
	like($challenges[1] // '', qr/^Basic realm=/, 'basic: ... one of them Basic');
	for my $case (
		[$basic->('git'), 'no colon'],
		[$basic->('git:'), 'an empty password'],
		['Basic Z2l0OnRva2Vu!', 'not base64'],
		['Basic Z2l0OnRva2V', 'base64 cut short'],
		['Basic ' . encode_base64("git:a\0b", ''), 'a NUL in the password'],
		['Basic', 'nothing after the scheme'],
	) {
		my ($h, $what) = @$case;
		$res = bearer_get($V, '/from-basic/b5', undef, Authorization => $h);
		is($res->code, 400, "basic: $what: 400");
		like(www_authenticate($res), qr/error="invalid_request"/, "basic: $what: invalid_request");
	}
	$res = bearer_get($V, "/from-basic/b6?access_token=$token", undef, Authorization => $basic->("git:$token"));
	is($res->code, 400, 'basic: a Basic password and a query token: two ways, 400');
	$res = bearer_get($V, '/from-basic/b7', $token);
	is($res->code, 401, 'basic: a Bearer header where only basic and query are read: no token');
	$res = bearer_get($V, '/from/b8', undef, Authorization => $basic->("git:$token"));
	is($res->code, 401, 'basic: a Basic password where basic is not read: another scheme, 401');
	is(scalar(() = $res->header('WWW-Authenticate')), 1, 'basic: ... with the Bearer challenge only');
}

# ---- the directive ---------------------------------------------------------------------------------------
refused_at_start(free_port(), 'Auth0BearerTokenFrom body', qr/Auth0BearerTokenFrom: 'body' is not a source/);
refused_at_start(free_port(), 'Auth0BearerTokenFrom header cookie:', qr/Auth0BearerTokenFrom: 'cookie:': the cookie's name/);
refused_at_start(free_port(), 'Auth0BearerTokenFrom cookie:a;b', qr/Auth0BearerTokenFrom: 'cookie:a;b'/);
refused_at_start(free_port(), 'Auth0BearerTokenFrom query Query', qr/Auth0BearerTokenFrom: 'Query': each source may be given once/);
refused_at_start(free_port(), 'Auth0BearerTokenFrom', qr/Auth0BearerTokenFrom: takes one or more/);
refused_at_start(free_port(), "<Directory /tmp>\nAuth0BearerTokenFrom header query\n</Directory>",
	qr/Auth0BearerTokenFrom: query may not be given in <Directory>: give it in <Location>/);
refused_at_start(free_port(), "<Proxy http://backend/>\nAuth0BearerTokenFrom query\n</Proxy>",
	qr/Auth0BearerTokenFrom: query may not be given in <Proxy>/);
my ($st) = httpd_check("<Directory /tmp>\nAuth0BearerTokenFrom header cookie:t\n</Directory>\n<Location /x/>\n<If \"true\">\nAuth0BearerTokenFrom query\n</If>\n</Location>");
is($st, 0, 'header and cookie in <Directory>, query in <If> in <Location>: accepted');

done_testing();
