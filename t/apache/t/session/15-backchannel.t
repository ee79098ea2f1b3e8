# Back-channel logout (Auth0BackChannelLogoutPath): the tenant POSTs a logout token when a user's session
# there ends; the sessions that came from it end here, in the cookie store and in the cache store, in every
# process, at once; a token is used once; bad tokens and requests get 400, a cache that cannot record gets
# 503; other sessions stay.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
use JSON::PP ();
use MIME::Base64 qw(encode_base64url);
use Test::More;
use URI::Escape qw(uri_escape);

reset_tenant();
my $CLIENT = 'demo-web-client';

sub signed_in {
	my ($site, $email) = @_;
	autologin($email);
	my $b = browser();
	$b->visit("$site/echo");
	return $b;
}

sub sid_of { my ($b, $site) = @_; json_of($b->get("$site/echo"))->{AUTH0_CLAIM_sid} }

sub logout_token { my (%a) = @_; control(POST => '/__control/logout-token', {client_id => $CLIENT, %a})->{logout_token} }

# POSTs a logout token (or any body) as the tenant does: no cookies, a form.
sub deliver {
	my ($site, $body, %h) = @_;
	my $tenant = browser();
	return $tenant->request(POST => "$site/backchannel", content => $body, %h);
}

# Signed in (a script's request: 401 when not, never a redirect that autologin would follow).
sub alive { my ($b, $site) = @_; $b->get("$site/echo", Accept => 'application/json')->code == 200 }

# Markers are per application and user (both sites are demo-web-client): each case has its own user.
for my $case (['cookie store', url('SESSION', ''), 'alice@example.com', ALICE],
	['cache store', url('SESSION_CACHE', ''), 'carol@example.com', 'auth0|ca4010000000000000000005'])
{
	my ($store, $site, $email, $user) = @$case;
	my $alice1 = signed_in($site, $email);
	my $alice2 = signed_in($site, $email);
	my $bob    = signed_in($site, 'bob@example.com');
	my $sid1   = sid_of($alice1, $site);
	ok $sid1 && $sid1 ne (sid_of($alice2, $site) // ''), "$store: each login has its own sid";
	ok alive($alice1, $site) && alive($alice2, $site) && alive($bob, $site), "$store: three sessions";

	# ---- one session, by its sid
	my %kept = map { $_ => $alice1->cookie($_) } $alice1->cookie_names(qr/auth0_session/);
	ok %kept, "$store: the session's cookies, kept to be presented again";
	my $token = logout_token(sub => $user, sid => $sid1);
	my $mark  = log_mark();
	my $res   = deliver($site, 'logout_token=' . uri_escape($token));
	is $res->code, 200, "$store: a logout token for a sid: 200";
	is $res->content, '', '... with no body';
	like $res->header('Cache-Control') // '', qr/no-store/, '... uncached';
	like log_since($mark), qr/back-channel logout: the session of \Q$user\E ended by the tenant/, '... logged';
	# presented again and again (a copy the browser kept), to each child and thread: over in every one
	my @codes = map {
		$alice1->set_cookie($_, $kept{$_}) for keys %kept;
		$alice1->get("$site/echo", Accept => 'application/json')->code
	} 1 .. 6;
	is_deeply \@codes, [(401) x 6], "$store: that session is over in every request";
	ok alive($alice2, $site), "$store: the user's other session stays";
	ok alive($bob, $site), "$store: bob's session stays";
	like log_since($mark), qr/session ended: the tenant ended it \(back-channel logout\)/, '... the reason is logged';
	autologin($email);
	is $alice1->visit("$site/echo")->code, 200, "$store: that browser can sign in again";
	ok alive($alice1, $site), '... and stays signed in (a new login has a new sid)';

	# ---- once
	$res = deliver($site, 'logout_token=' . uri_escape($token));
	is $res->code, 400, "$store: the same logout token again: 400";
	like $res->content, qr/"error":"invalid_request".*used before/, '... used before';

	# ---- every session of a user, by sub only
	$res = deliver($site, 'logout_token=' . uri_escape(logout_token(sub => $user)));
	is $res->code, 200, "$store: a logout token for a sub only: 200";
	ok !alive($alice2, $site), "$store: every session of the user is over";
	ok !alive($alice1, $site), '... the one made again too';
	autologin($email);
	is $alice1->visit("$site/echo")->code, 200, "$store: a login after it (even within the same second)";
	ok alive($alice1, $site), '... stays signed in';
	ok alive($bob, $site), "$store: bob's session stays";
}

my $site = url('SESSION', '');
# ---- refused tokens: 400, and nothing ended
my $carol = signed_in($site, 'bob@example.com');
my $sid   = sid_of($carol, $site);
# each with the fixed description of what is wrong: libauth0's message, which quotes the token (its kid, its
# issuer), is only logged; anyone may POST here
my %bad   = (
	'another audience'        => [{client_id => 'demo-m2m-client', sid => $sid}, 'is not for this application'],
	'no event'                => [{sid => $sid, claims => {events => undef}}, 'has no back-channel logout event'],
	'a nonce'                 => [{sid => $sid, claims => {nonce => 'n'}}, 'must not have a nonce'],
	'no sid and no sub'       => [{}, 'has neither sid nor sub'],
	'no jti'                  => [{sid => $sid, claims => {jti => undef}}, 'has no jti'],
	'issued an hour ago'      => [{sid => $sid, claims => {iat => time - 3600}}, 'has an invalid or too old issue time'],
	'another issuer'          => [{sid => $sid, claims => {iss => 'https://evil.example/'}}, 'was issued by another issuer'],
	'typ of an access token'  => [{sid => $sid, header => {typ => 'at+jwt'}}, 'is not of type logout+jwt'],
	'an unknown kid'          => [{sid => $sid, header => {kid => 'nope<b>'}}, 'is signed with an unknown key'],
);
for my $what (sort keys %bad) {
	my ($token, $description) = @{$bad{$what}};
	my $res = deliver($site, 'logout_token=' . uri_escape(logout_token(%$token)));
	is $res->code, 400, "refused: $what: 400";
	like $res->header('Content-Type') // '', qr{^application/json}, "refused: $what: a JSON error";
	is json_of($res)->{error_description}, "the logout token $description", "refused: $what: said in fixed words";
	is $res->header('X-Content-Type-Options'), 'nosniff', "refused: $what: nosniff";
}
{
	# a token of anyone's making whose kid is markup: not in the answer, in the log escaped
	my $kid = "<img src=x onerror=alert(1)>\x{e9}\n";
	my $forged = encode_base64url(JSON::PP->new->ascii->encode({alg => 'RS256', kid => $kid})) . '.'
	           . encode_base64url('{}') . '.c2ln';
	my $mark = log_mark();
	my $res = deliver($site, 'logout_token=' . uri_escape($forged));
	is $res->code, 400, 'refused: a forged token with markup in its kid: 400';
	unlike $res->content, qr/img|onerror/, '... the kid is not in the answer';
	like log_since($mark), qr/back-channel logout token refused: .*img src=x/, '... but in the log';
}
my $good = logout_token(sub => BOB, sid => $sid);
my $tampered = $good =~ s/\.([^.]+)$/'.' . reverse($1)/er;
is deliver($site, 'logout_token=' . uri_escape($tampered))->code, 400, 'refused: a bad signature: 400';
is deliver($site, 'logout_token=a.b.c')->code, 400, 'refused: garbage: 400';
is deliver($site, '')->code, 400, 'refused: no logout_token: 400';
is deliver($site, "logout_token=$good&logout_token=$good")->code, 400, 'refused: two logout_token: 400';
is deliver($site, 'logout_token=' . uri_escape($good), 'Content-Type' => 'application/json')->code, 400,
	'refused: not a form: 400';
# a NUL in a value or a name (a token "cut" there would be another string than the one checked), a body
# over 16 KB: refused, nothing ended
is deliver($site, 'logout_token=' . uri_escape($good) . '%00garbage')->code, 400, 'refused: %00 after the token: 400';
is deliver($site, 'logout_token%00x=' . uri_escape($good))->code, 400, 'refused: %00 in a field name: 400';
is deliver($site, 'logout_token=' . uri_escape($good) . "\0x")->code, 400, 'refused: a raw NUL: 400';
my $res = deliver($site, 'logout_token=' . uri_escape($good) . '&pad=' . ('x' x 20000));
is $res->code, 413, 'refused: a body over 16 KB: 413';
like $res->header('Content-Type') // '', qr{^application/json}, '... a JSON error';
$res = browser()->get("$site/backchannel");
is $res->code, 405, 'GET: 405';
is $res->header('Allow'), 'POST', '... Allow: POST';
ok alive($carol, $site), 'after all of these, the session is still there';
is deliver($site, 'logout_token=' . uri_escape($good))->code, 200, 'the good token still works';
ok !alive($carol, $site), '... and ends it';

done_testing;
