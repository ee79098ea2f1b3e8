# Attack matrix: the login and the tokens.
#
#   login CSRF and code replay: a callback with another browser's state (with or without a transaction
#     cookie of its own), another login's code (code injection, defeated by PKCE), a code of another
#     application, a replayed callback (same browser, another browser, the old code with a new state), a
#     state changed by one character;
#   ID-token forgery, delivered as the tenant's token response (a fault rule of the fake tenant): alg none
#     in every case, HS256/384/512 keyed with the tenant's public key in every encoding, RS256/PS256/ES256
#     with an attacker's key, the attacker's key embedded (jwk) or pointed to (jku, x5u, x5c), kid
#     injection (path traversal to /dev/null with an empty HMAC key, URLs, SQL, CR/LF, huge, not a
#     string), a stripped or borrowed signature, a payload changed after signing, a second spelling of a
#     token signed with the real key (padded, or an unused bit of its last character set);
#   ID-token substitution, signed by the tenant's real key: another client's audience (alone, in a list,
#     as azp), another issuer, an expired or future token, a missing or foreign nonce (nonce mismatch), an
#     access token, a real ID token of another application;
#   the same through the tenant's own token tweaks (alg none, HS256 with the public key, kid, aud, nonce);
#   bearer tokens: the same forgeries and substitutions against an API location.
#
# A case passes when no session is created (the callback answers 400 or 502) or the API answers 401/400,
# never as the forged identity; controls signed with the tenant's real key must be accepted, so that each
# refusal is the attack's doing. Log lines never carry a forged kid's line breaks.
# Existing single cases: t/session/02-callback.t (nonce, signature, alg none, expiry, audience, issuer, kid,
# replay, another browser), t/api/bearer.t (the same for bearer tokens).
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
use Auth0Test::Api;
use Auth0Test::Attacks;
use Auth0Test::Matrix;
use Crypt::PK::ECC ();
use JSON::PP ();
use Test::More;
use Time::HiRes qw(time);

reset_tenant();
autologin('alice@example.com');
my $m = Auth0Test::Matrix->new('attacks');
my $JSON = JSON::PP->new;
my $NAME = '__Host-atk';
my $ISS = tenant_url() . '/';
my ($tk, $kid) = tenant_signing_key();
my ($ak, $akid) = attacker_key();
my $ec = Crypt::PK::ECC->new;
$ec->generate_key('secp256r1');
my $EVIL = 'auth0|ma11ory000000000000000001';

# ---- the public key in every encoding an HMAC confusion might use -------------------------------------------
my %pub = (
	'PKCS#1 PEM'                  => $tk->export_key_pem('public'),
	'SPKI PEM'                    => $tk->export_key_pem('public_x509'),
	'DER (SPKI)'                  => $tk->export_key_der('public_x509'),
	'DER (PKCS#1)'                => $tk->export_key_der('public'),
	'JWK JSON'                    => JSON::PP->new->canonical->encode($tk->export_key_jwk('public', 1)),
	'modulus bytes'               => pack('H*', $tk->key2hash->{N}),
);
(my $nonl = $pub{'SPKI PEM'}) =~ s/\n\z//;
$pub{'SPKI PEM without the last newline'} = $nonl;
(my $crlf = $pub{'SPKI PEM'}) =~ s/\n/\r\n/g;
$pub{'SPKI PEM with CRLF'} = $crlf;
my $cert_pem = do { local (@ARGV, $/) = "$ENV{AUTH0_TEST_STATE_DIR}/signing-current.crt"; <> };
my ($cert_b64) = $cert_pem =~ /-----BEGIN CERTIFICATE-----\s*(.*?)\s*-----END/s;
$cert_b64 =~ s/\s+//g;

# The forgeries: name => sub(claims) -> token. Each is signed with something the attacker has.
sub forgeries {
	my ($claims, $typ) = @_;
	my @f;
	my $real = rsa_signer($tk);
	push @f, ['alg none', jwt({alg => 'none', typ => $typ}, $claims)];
	push @f, ["alg $_", jwt({alg => $_, typ => $typ, kid => $kid}, $claims)] for qw(None NONE nOnE);
	push @f, ['alg none with the real signature kept', do {
		my $t = jwt({alg => 'RS256', typ => $typ, kid => $kid}, $claims, $real);
		my (undef, $p, $s) = split /\./, $t;
		b64u($JSON->encode({alg => 'none', typ => $typ})) . ".$p.$s";
	}];
	push @f, ['no alg, signed with the real key', jwt({typ => $typ, kid => $kid}, $claims, $real)];
	push @f, ['alg "" (empty)', jwt({alg => '', typ => $typ, kid => $kid}, $claims, $real)];
	for my $enc (sort keys %pub) {
		push @f, ["HS256 keyed with the public key ($enc)", jwt({alg => 'HS256', typ => $typ, kid => $kid}, $claims,
			hmac_signer('SHA256', $pub{$enc}))];
	}
	push @f, ['HS256 keyed with the public key, no kid', jwt({alg => 'HS256', typ => $typ}, $claims,
		hmac_signer('SHA256', $pub{'PKCS#1 PEM'}))];
	push @f, ["$_->[0] keyed with the public key (SPKI PEM)", jwt({alg => $_->[0], typ => $typ, kid => $kid}, $claims,
		hmac_signer($_->[1], $pub{'SPKI PEM'}))] for ['HS384', 'SHA384'], ['HS512', 'SHA512'];
	push @f, ['HS256 keyed with the certificate PEM', jwt({alg => 'HS256', typ => $typ, kid => $kid}, $claims,
		hmac_signer('SHA256', $cert_pem))];
	push @f, ['HS256 with an empty key', jwt({alg => 'HS256', typ => $typ, kid => $kid}, $claims, hmac_signer('SHA256', ''))];
	push @f, ['RS256 with an attacker key, the real kid', jwt({alg => 'RS256', typ => $typ, kid => $kid}, $claims, rsa_signer($ak))];
	push @f, ['RS256 with an attacker key, its own kid', jwt({alg => 'RS256', typ => $typ, kid => $akid}, $claims, rsa_signer($ak))];
	push @f, ['RS256 with an attacker key, no kid', jwt({alg => 'RS256', typ => $typ}, $claims, rsa_signer($ak))];
	push @f, ['PS256 with an attacker key', jwt({alg => 'PS256', typ => $typ, kid => $kid}, $claims, rsa_signer($ak, 'SHA256', 'pss'))];
	push @f, ['ES256 with an attacker key', jwt({alg => 'ES256', typ => $typ, kid => $kid}, $claims,
		sub { $ec->sign_message_rfc7518($_[0], 'SHA256') })];
	push @f, ['the attacker key embedded (jwk)', jwt({alg => 'RS256', typ => $typ, kid => $akid,
		jwk => $ak->export_key_jwk('public', 1)}, $claims, rsa_signer($ak))];
	push @f, ['the attacker key embedded (jwk) under the real kid', jwt({alg => 'RS256', typ => $typ, kid => $kid,
		jwk => {%{$ak->export_key_jwk('public', 1)}, kid => $kid}}, $claims, rsa_signer($ak))];
	push @f, ['jku pointing to the attacker', jwt({alg => 'RS256', typ => $typ, kid => $akid,
		jku => 'https://evil.example/.well-known/jwks.json'}, $claims, rsa_signer($ak))];
	push @f, ['x5u pointing to the attacker', jwt({alg => 'RS256', typ => $typ, kid => $akid,
		x5u => 'https://evil.example/cert.pem'}, $claims, rsa_signer($ak))];
	push @f, ['x5c with the tenant certificate, attacker signature', jwt({alg => 'RS256', typ => $typ,
		x5c => [$cert_b64]}, $claims, rsa_signer($ak))];
	my %kids = ('path traversal to /dev/null' => '../../../../../../../dev/null', 'absolute path /dev/null' => '/dev/null',
		'path traversal to the signing key' => '../signing-current.key', 'a URL' => 'https://evil.example/jwks.json',
		'SQL' => "x' UNION SELECT 'secret' --", 'SQL (numeric)' => '1 OR 1=1', 'template' => '{{7*7}}${7*7}',
		'JNDI' => '${jndi:ldap://evil.example/a}', 'empty' => '', 'NUL' => "$kid\0x", 'encoded NUL' => "$kid%00",
		'10 KB' => 'k' x 10240, 'CR LF and a fake log line' => "x\r\n[Sat Jan 01 00:00:00.000000 2000] [auth0:error] INJECTED",
		'the real kid with a space' => "$kid ", 'the real kid in upper case' => uc $kid);
	for my $what (sort keys %kids) {
		my $k = $kids{$what};
		my $key = $what =~ /SQL/ ? 'secret' : '';
		push @f, ["kid injection: $what (HS256, key \"$key\")", jwt({alg => 'HS256', typ => $typ, kid => $k}, $claims,
			hmac_signer('SHA256', $key))];
		push @f, ["kid injection: $what (signed with the real key)", jwt({alg => 'RS256', typ => $typ, kid => $k}, $claims, $real)];
	}
	push @f, ['kid not a string (number)', jwt({alg => 'RS256', typ => $typ, kid => 0}, $claims, $real)];
	push @f, ['kid not a string (array with the real kid)', jwt({alg => 'RS256', typ => $typ, kid => [$kid]}, $claims, $real)];
	push @f, ['kid not a string (object)', jwt({alg => 'RS256', typ => $typ, kid => {'$ref' => $kid}}, $claims, $real)];
	push @f, ['kid null', jwt(qq({"alg":"RS256","kid":null,"typ":"$typ"}), $claims, $real)];
	push @f, ['signature stripped', do { my $t = jwt({alg => 'RS256', typ => $typ, kid => $kid}, $claims, $real); $t =~ s/[^.]+\z//; $t }];
	push @f, ['payload changed after signing', do {
		my $t = jwt({alg => 'RS256', typ => $typ, kid => $kid}, {%$claims, sub => 'auth0|a11ce0000000000000000001'}, $real);
		my ($h, undef, $s) = split /\./, $t;
		"$h." . b64u($JSON->encode($claims)) . ".$s";
	}];
	push @f, ['the signature of another token', do {
		my $t = jwt({alg => 'RS256', typ => $typ, kid => $kid}, {%$claims, jti => 'other'}, $real);
		my (undef, undef, $s) = split /\./, $t;
		my ($h, $p) = split /\./, jwt({alg => 'RS256', typ => $typ, kid => $kid}, $claims);
		"$h.$p.$s";
	}];
	push @f, ['four parts', jwt({alg => 'RS256', typ => $typ, kid => $kid}, $claims, $real) . '.eyJ9'];
	# second spellings of a token signed with the real key: a token has one (no padding; the unused low bits
	# of the signature's last character are zero), or a cache keyed by its text could be sidestepped
	push @f, ['a signed token, its signature padded with ==', jwt({alg => 'RS256', typ => $typ, kid => $kid}, $claims, $real) . '=='];
	push @f, ['a signed token, an unused bit of its last character set', do {
		my $t = jwt({alg => 'RS256', typ => $typ, kid => $kid}, $claims, $real);
		my $alphabet = join '', 'A' .. 'Z', 'a' .. 'z', 0 .. 9, '-', '_';
		substr($t, -1) = substr($alphabet, (index $alphabet, substr($t, -1)) ^ 1, 1);
		$t;
	}];
	push @f, ['JWE compact form (five parts)', 'eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..AAAA.' . b64u($JSON->encode($claims)) . '.AAAA'];
	push @f, ['JWS JSON serialization', $JSON->encode({payload => b64u($JSON->encode($claims)),
		protected => b64u($JSON->encode({alg => 'RS256', kid => $kid})), signature => 'AAAA'})];
	return @f;
}

# ---- ID tokens at the callback ------------------------------------------------------------------------------
# Starts a login on ATTACK, then delivers the callback; the tenant's token response may be replaced
# (id_token => sub(nonce) -> token) or the next tokens tweaked. Returns (callback response, session set).
sub callback_with {
	my (%o) = @_;
	my $jar = {};
	my $res = start_login('ATTACK', '/cgi/tokens', jar => $jar);
	my $auth = hdr($res, 'Location') or return (undef, 0, 'no login started');
	my $nonce = query_param($auth, 'nonce');
	my $cb = tenant_authorize($auth) or return (undef, 0, 'the tenant did not redirect back');
	tweak_tokens($o{tweak}) if $o{tweak};
	if ($o{id_token}) {
		my $t = $o{id_token}->($nonce);
		fault({method => 'POST', path => '/oauth/token', status => 200, body => $JSON->encode(
			{access_token => 'opaque-access-token', id_token => $t, token_type => 'Bearer', expires_in => 86400})});
	}
	my $u = URI->new($cb);
	my $r = raw_request(port => 'ATTACK', target => $u->path_query, headers => [Accept => 'text/html', Cookie => jar_header($jar)]);
	clear_faults() if $o{id_token};
	control(DELETE => '/__control/tokens') if $o{tweak};
	jar_update($jar, $r);
	my $session = $jar->{$NAME} ? 1 : 0;
	return ($r, $session, '', $jar);
}

sub id_claims {
	my ($nonce, %o) = @_;
	my %c = (iss => $ISS, sub => $EVIL, aud => 'demo-web-client', iat => int(time), exp => int(time) + 3600, nonce => $nonce,
		name => 'Mallory', %o);
	delete $c{$_} for grep { !defined $c{$_} } keys %c;
	return \%c;
}

sub login_refused {
	my ($group, $case, %o) = @_;
	my ($r, $session, $why) = callback_with(%o);
	return $m->case(group => $group, case => $case, target => 'GET /callback', expected => 'no session (400/502)',
		observed => $why, pass => 0) unless $r;
	my $st = $r->{status};
	$m->case(group => $group, case => $case, target => 'GET /callback', expected => 'no session (400/502)',
		observed => "$st" . ($session ? ', SESSION CREATED' : ', no session'),
		pass => ($st == 400 || $st == 502) && !$session);
}

sub login_accepted {
	my ($group, $case, $who, %o) = @_;
	my ($r, $session, $why, $jar) = callback_with(%o);
	my $user;
	if ($session) {
		my $p = raw_request(port => 'ATTACK', target => '/cgi/whoami', headers => [Accept => 'application/json',
			Cookie => jar_header($jar)]);
		$user = eval { $JSON->decode($p->{body})->{ENV}{REMOTE_USER} };
	}
	$m->case(group => $group, case => $case, target => 'GET /callback', expected => "a session for $who",
		observed => ($r ? $r->{status} : $why) . ($user ? " as $user" : ''), pass => $r && $r->{status} == 302 && ($user // '') eq $who);
}

my $G = 'ID token: forgery (delivered as the tenant\'s token response)';
$m->group($G, about => 'ID tokens signed with what an attacker has: none, the public key as an HMAC key, its own keys, '
	. 'keys it embeds or points to, kid injection, stripped or borrowed signatures',
	expected => 'the callback creates no session (502); a control signed with the real key is accepted');
login_accepted($G, 'control: forged claims signed with the tenant\'s real key', $EVIL,
	id_token => sub { jwt({alg => 'RS256', typ => 'JWT', kid => $kid}, id_claims($_[0]), rsa_signer($tk)) });
my $mark = log_mark();
my @names = map { $_->[0] } forgeries(id_claims('x'), 'JWT');
for my $i (0 .. $#names) {
	login_refused($G, $names[$i], id_token => sub { (forgeries(id_claims($_[0]), 'JWT'))[$i][1] });
}
my $log = log_since($mark);
ok $log !~ /^\[[^\]]*\] \[auth0:error\] INJECTED/m, 'a kid with CR/LF does not forge a log line';

$G = 'ID token: substitution (signed by the tenant\'s real key)';
$m->group($G, about => 'genuine signatures on the wrong token: another client\'s audience, another issuer, expired, '
	. 'no or another nonce, an access token, a real ID token of another application',
	expected => 'no session (400 for a nonce mismatch, else 502)');
my $signed = sub { my %c = @_; return sub { jwt({alg => 'RS256', typ => 'JWT', kid => $kid}, id_claims($_[0], %c), rsa_signer($tk)) } };
my %subst = (
	'aud: another client (jwt-client)'               => $signed->(aud => 'jwt-client'),
	'aud: a list with another client only'           => $signed->(aud => ['jwt-client']),
	'aud: a list with this client and another, no azp' => $signed->(aud => ['demo-web-client', 'jwt-client']),
	'aud: a list, azp another client'                => $signed->(aud => ['demo-web-client', 'jwt-client'], azp => 'jwt-client'),
	'aud: missing'                                   => $signed->(aud => undef),
	'aud: the API identifier'                        => $signed->(aud => 'https://api.example.com/'),
	'iss: another tenant'                            => $signed->(iss => 'https://evil.example/'),
	'iss: without the trailing slash'                => $signed->(iss => tenant_url()),
	'iss: http instead of https'                     => $signed->(iss => do { (my $i = $ISS) =~ s/^https/http/; $i }),
	'iss: missing'                                   => $signed->(iss => undef),
	'exp: an hour ago'                               => $signed->(exp => int(time) - 3600),
	'exp: missing'                                   => $signed->(exp => undef),
	'exp: a string'                                  => $signed->(exp => '' . (int(time) + 3600)),
	'iat: a string'                                  => $signed->(iat => '' . int(time)),
	'nonce: missing'                                 => sub { jwt({alg => 'RS256', typ => 'JWT', kid => $kid}, id_claims(undef), rsa_signer($tk)) },
	'nonce: another value'                           => sub { jwt({alg => 'RS256', typ => 'JWT', kid => $kid}, id_claims('n0t-the-n0nce'), rsa_signer($tk)) },
	'nonce: of another login transaction'            => sub {
		my $other = start_login('ATTACK', '/cgi/another', jar => {});
		jwt({alg => 'RS256', typ => 'JWT', kid => $kid}, id_claims(query_param(hdr($other, 'Location'), 'nonce')), rsa_signer($tk));
	},
	'nonce: the right one with a suffix'             => sub { jwt({alg => 'RS256', typ => 'JWT', kid => $kid}, id_claims("$_[0]x"), rsa_signer($tk)) },
	'sub: missing'                                   => $signed->(sub => undef),
	'sub: with CR/LF (REMOTE_USER would carry them)' => $signed->(sub => "evil\r\nX-Injected: 1"),
	'sub: with a control character'                  => $signed->(sub => "evil\x01"),
	'HS256 with this client\'s own secret (RS256 expected)' => sub { jwt({alg => 'HS256', typ => 'JWT'}, id_claims($_[0]), hmac_signer('SHA256', 'demo-web-secret')) },
	'a real access token of the tenant'              => sub { user_token() },
	'a real ID token of another application (hs256-client)' => sub {
		token(grant_type => 'password', client_id => 'hs256-client', client_secret => 'hs256-client-secret-at-least-32-bytes-long',
			username => 'bob@example.com', password => 'Bob-Passw0rd!', scope => 'openid profile')->{id_token};
	},
	'a real ID token of this application without nonce (password grant)' => sub {
		token(grant_type => 'password', client_id => 'demo-web-client', client_secret => 'demo-web-secret',
			username => 'bob@example.com', password => 'Bob-Passw0rd!', scope => 'openid profile')->{id_token};
	},
);
login_refused($G, $_, id_token => $subst{$_}) for sort keys %subst;

$G = 'ID token: the tenant\'s own tweaks';
$m->group($G, about => 'the fake tenant signs the ID token of the real code exchange with a tweak',
	expected => 'no session; control: a future iat alone is accepted (ruby-auth0\'s rules)');
my %tweaks = (
	'alg none'                         => {which => 'id', alg => 'none'},
	'HS256 with the public key'        => {which => 'id', alg => 'HS256-with-public-key'},
	'bad signature'                    => {which => 'id', bad_signature => JSON::PP::true},
	'kid ../../../../dev/null'         => {which => 'id', kid => '../../../../dev/null'},
	'kid https://evil.example/jwks'    => {which => 'id', kid => 'https://evil.example/jwks'},
	"kid ' OR 1=1 --"                  => {which => 'id', kid => "' OR 1=1 --"},
	'kid removed'                      => {which => 'id', header => {kid => undef}},
	'aud another client'               => {which => 'id', claims => {aud => 'jwt-client'}},
	'azp another client'               => {which => 'id', claims => {aud => ['demo-web-client', 'public-client'], azp => 'public-client'}},
	'nonce mismatch'                   => {which => 'id', claims => {nonce => 'another'}},
	'nonce removed'                    => {which => 'id', claims => {nonce => undef}},
	'expired beyond the leeway'        => {which => 'id', exp_offset => -36000 - 120},
);
login_refused($G, $_, tweak => $tweaks{$_}) for sort keys %tweaks;
# iat is only required to be a number in ID tokens (the Ruby SDK's rules, which libauth0 ports): a tenant
# whose clock runs ahead still logs users in; exp, the nonce and the signature bind the token
login_accepted($G, 'control: issued in the future (a tenant clock ahead) is accepted', ALICE,
	tweak => {which => 'id', iat_offset => 3600});

# ---- login CSRF and code replay -------------------------------------------------------------------------------
$G = 'login CSRF and code replay';
$m->group($G, about => 'callbacks with another browser\'s state or code, another application\'s code, replays',
	expected => 'no session (400), or the landing page of a browser already signed in (no new session)');
{
	# a login in browser A up to its callback URL
	my $begin = sub {
		my $jar = {};
		my $res = start_login('ATTACK', '/cgi/csrf', jar => $jar);
		my $auth = hdr($res, 'Location');
		return ($jar, tenant_authorize($auth), $auth);
	};
	my $cb_case = sub {
		my ($case, $jar, $target, %o) = @_;
		my $r = raw_request(port => 'ATTACK', target => $target,
			headers => [Accept => 'text/html', %$jar ? (Cookie => jar_header($jar)) : ()]);
		my $session = grep {/^\Q$NAME\E(?:\.\d+)?=[^;]/} set_cookies($r);
		my $ok = $o{landing} ? $r->{status} == 302 && !$session : $r->{status} >= 400 && $r->{status} < 500 && !$session;
		$m->case(group => $G, case => $case, target => 'GET /callback', expected => $o{landing} ? '302 to the landing page, no new session' : '400, no session',
			observed => "$r->{status}" . ($session ? ', SESSION CREATED' : ', no session'), pass => $ok);
	};
	my $pq = sub { URI->new($_[0])->path_query };

	my ($ja, $cba) = $begin->();
	$cb_case->('state and code of another browser, no transaction cookie', {}, $pq->($cba));
	my ($jb, $cbb) = $begin->();
	$cb_case->('state and code of another browser, with a transaction cookie of its own', $jb, $pq->($cba));
	my $code_b = query_param($cbb, 'code');
	my $state_a = query_param($cba, 'state');
	$cb_case->('this browser\'s state with another login\'s code (code injection; PKCE)', $ja,
		"/callback?code=" . pct_all($code_b) . "&state=" . pct_all($state_a));
	($ja, $cba) = $begin->();
	my $state = query_param($cba, 'state');
	(my $st2 = $state) =~ s/^(.)/$1 eq 'A' ? 'B' : 'A'/e;
	$cb_case->('the state changed by one character', $ja, "/callback?code=" . pct_all(query_param($cba, 'code')) . "&state=" . pct_all($st2));
	$cb_case->('a state of 10 KB', $ja, "/callback?code=x&state=" . ('A' x 10240));
	$cb_case->('an empty state', $ja, '/callback?code=x&state=');
	# a completed login, then replays
	($ja, $cba) = $begin->();
	my %saved = %$ja;
	my $ok = raw_request(port => 'ATTACK', target => $pq->($cba), headers => [Accept => 'text/html', Cookie => jar_header($ja)]);
	jar_update($ja, $ok);
	ok $ok->{status} == 302 && $ja->{$NAME}, 'a login completes (the replays below reuse it)';
	my $replay = {%$ja, map { $_ => $saved{$_} } grep {/txn/} keys %saved};
	$cb_case->('the same callback replayed in the signed-in browser (transaction cookie restored)', $replay, $pq->($cba), landing => 1);
	$cb_case->('the same callback replayed in another browser with the transaction cookie', {%saved}, $pq->($cba));
	my ($jc, $cbc) = $begin->();
	$cb_case->('the used code with a new, valid state (code replay)', $jc,
		'/callback?code=' . pct_all(query_param($cba, 'code')) . '&state=' . pct_all(query_param($cbc, 'state')));
	# a code issued to another application (jwt-client, the ATTACK_ADMIN site)
	my $jx = {};
	my $rx = start_login('ATTACK_ADMIN', '/x', jar => $jx);
	my $cbx = tenant_authorize(hdr($rx, 'Location'));
	my ($jd, $cbd) = $begin->();
	$cb_case->('a code issued to another application, with this browser\'s state', $jd,
		'/callback?code=' . pct_all(query_param($cbx, 'code')) . '&state=' . pct_all(query_param($cbd, 'state')));
}

# ---- bearer tokens -------------------------------------------------------------------------------------------
sub at_claims {
	my (%o) = @_;
	my %c = (iss => $ISS, sub => $EVIL, aud => 'https://api.example.com/', iat => int(time), exp => int(time) + 3600,
		scope => 'read:messages write:messages', azp => 'demo-m2m-client', %o);
	delete $c{$_} for grep { !defined $c{$_} } keys %c;
	return \%c;
}

sub bearer_case {
	my ($group, $case, $token, %o) = @_;
	my $res = raw_request(port => 'ATTACK', target => '/bearer/x', headers => [Authorization => "Bearer $token"]);
	my $user = $res->{status} == 200 ? eval { $JSON->decode($res->{body})->{ENV}{REMOTE_USER} } : undef;
	my $pass = $o{accept} ? $res->{status} == 200 && ($user // '') eq $o{accept}
	                      : ($res->{status} == 401 || $res->{status} == 400) && !$user;
	$m->case(group => $group, case => $case, target => 'GET /bearer/x', expected => $o{accept} ? "200 as $o{accept}" : '401 (or 400)',
		observed => "$res->{status}" . ($user ? " as $user" : ''), pass => $pass);
}

$G = 'bearer token: forgery';
$m->group($G, about => 'the ID-token forgeries above, as access tokens for an API location',
	expected => '401 invalid_token (400 when malformed); a control signed with the real key is accepted');
bearer_case($G, 'control: forged claims signed with the tenant\'s real key',
	jwt({alg => 'RS256', typ => 'at+jwt', kid => $kid}, at_claims(), rsa_signer($tk)), accept => $EVIL);
bearer_case($G, $_->[0], $_->[1]) for forgeries(at_claims(), 'at+jwt');

$G = 'bearer token: substitution';
$m->group($G, about => 'genuine signatures on the wrong token: an ID token, another audience or issuer, times, typ',
	expected => '401');
my $sg = sub { my ($h, %c) = @_; jwt({alg => 'RS256', kid => $kid, %$h}, at_claims(%c), rsa_signer($tk)) };
my %bsub = (
	'an ID token of this tenant' => callback_id_token(),
	'aud: another API'           => $sg->({typ => 'at+jwt'}, aud => 'https://other.example.com/'),
	'aud: missing'               => $sg->({typ => 'at+jwt'}, aud => undef),
	'aud: the client id'         => $sg->({typ => 'at+jwt'}, aud => 'demo-web-client'),
	'iss: another tenant'        => $sg->({typ => 'at+jwt'}, iss => 'https://evil.example/'),
	'exp: an hour ago'           => $sg->({typ => 'at+jwt'}, exp => int(time) - 3600),
	'exp: missing'               => $sg->({typ => 'at+jwt'}, exp => undef),
	'nbf: in an hour'            => $sg->({typ => 'at+jwt'}, nbf => int(time) + 3600),
	'iat: in an hour'            => $sg->({typ => 'at+jwt'}, iat => int(time) + 3600),
	'typ: JWT+id'                => $sg->({typ => 'JWT+id'}),
	'typ: id_token'              => $sg->({typ => 'id_token'}),
	'typ: a number'              => $sg->({typ => 1}),
	'payload not an object'      => jwt({alg => 'RS256', typ => 'at+jwt', kid => $kid}, '[1,2]', rsa_signer($tk)),
	'payload not JSON'           => jwt({alg => 'RS256', typ => 'at+jwt', kid => $kid}, 'not json', rsa_signer($tk)),
	'a 60 KB token (attacker key)' => jwt({alg => 'RS256', typ => 'at+jwt', kid => $kid}, at_claims(pad => 'p' x 45000), rsa_signer($ak)),
);
bearer_case($G, $_, $bsub{$_}) for sort keys %bsub;
bearer_case($G, 'control: a 60 KB token signed with the real key', $sg->({typ => 'at+jwt'}, pad => 'p' x 45000), accept => $EVIL);

$G = 'bearer token: the tenant\'s own tweaks';
$m->group($G, about => 'access tokens issued by the tenant with a tweak (kid injection, algorithms, claims)',
	expected => '401');
my %bt = (
	'alg none' => {alg => 'none'}, 'HS256 with the public key' => {alg => 'HS256-with-public-key'},
	'kid ../../../../dev/null' => {kid => '../../../../dev/null'}, 'kid https://evil.example/jwks' => {kid => 'https://evil.example/jwks'},
	"kid ' OR '1'='1" => {kid => "' OR '1'='1"}, 'kid of 5000 characters' => {kid => 'k' x 5000},
	'aud another API' => {claims => {aud => 'https://other.example.com/'}}, 'bad signature' => {bad_signature => JSON::PP::true},
);
for my $case (sort keys %bt) {
	tweak_next_token(%{$bt{$case}});
	bearer_case($G, $case, m2m_token());
}

# an ID token issued at a real login (for the substitution above)
sub callback_id_token {
	return token(grant_type => 'password', client_id => 'demo-web-client', client_secret => 'demo-web-secret',
		username => 'alice@example.com', password => 'Alice-Passw0rd!', scope => 'openid profile',
		audience => 'https://api.example.com/')->{id_token};
}

ok alive('ATTACK'), 'httpd still answers';
$m->summary;
done_testing();
