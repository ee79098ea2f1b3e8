use Mojo::Base -strict, -signatures;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use TenantTest qw(new_tenant password_login);

my $t = new_tenant();
my %signup = (client_id => 'demo-web-client', connection => 'Username-Password-Authentication');

$t->post_ok('/dbconnections/signup' => json => {%signup, email => 'New.User@example.com', password => 'N3w-User-Passw0rd',
    given_name => 'New', user_metadata => {color => 'blue'}})->status_is(200)->json_is('/email' => 'new.user@example.com')
  ->json_is('/email_verified' => 0)->json_is('/given_name' => 'New')->json_is('/user_metadata/color' => 'blue')
  ->json_like('/_id' => qr/^[0-9a-f]{24}$/);
is password_login($t, username => 'new.user@example.com', password => 'N3w-User-Passw0rd')->res->code, 200,
  'the new user can log in';

$t->post_ok('/dbconnections/signup' => json => {%signup, email => 'alice@example.com', password => 'Whatever-1234'})
  ->status_is(400)->json_is('/name' => 'BadRequestError')->json_is('/code' => 'invalid_signup')
  ->json_is('/description' => 'Invalid sign up')->json_is('/statusCode' => 400);
$t->post_ok('/dbconnections/signup' => json => {%signup, email => 'weak@example.com', password => 'weak'})->status_is(400)
  ->json_is('/name' => 'PasswordStrengthError')->json_is('/code' => 'invalid_password')
  ->json_is('/description/rules/0/code' => 'lengthAtLeast')->json_is('/description/rules/0/verified' => 0)
  ->json_like('/policy' => qr/At least 8 characters/);
$t->post_ok('/dbconnections/signup' => json => {%signup, password => 'Whatever-1234'})->status_is(400)
  ->json_is('/name' => 'BadRequestError');
$t->post_ok('/dbconnections/signup' => json => {%signup, connection => 'email', email => 'x@example.com',
    password => 'Whatever-1234'})->status_is(400)->json_is('/code' => 'invalid_connection');
$t->post_ok('/dbconnections/signup' => form => {%signup, email => 'form@example.com', password => 'F0rm-Passw0rd'})
  ->status_is(200, 'form bodies too');

$t->post_ok('/dbconnections/change_password' => json => {client_id => 'demo-web-client', email => 'alice@example.com',
    connection => 'Username-Password-Authentication'})->status_is(200)
  ->content_is("We've just sent you an email to reset your password.");
$t->post_ok('/dbconnections/change_password' => json => {client_id => 'demo-web-client', email => 'ghost@example.com',
    connection => 'Username-Password-Authentication', password => 'ignored'})->status_is(200, 'same answer for unknown users');
$t->get_ok('/__control/outbox')->status_is(200);
my @resets = grep { $_->{kind} eq 'password-reset' } @{$t->tx->res->json};
is scalar @resets, 1, 'one reset mail (none for the unknown user)';
is $resets[0]{to}, 'alice@example.com', 'to alice';
$t->post_ok('/dbconnections/change_password' => json => {client_id => 'demo-web-client'})->status_is(400);

done_testing;
