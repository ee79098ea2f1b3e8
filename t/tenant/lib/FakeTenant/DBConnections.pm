package FakeTenant::DBConnections;

# Database connection endpoints: POST /dbconnections/signup and
# POST /dbconnections/change_password, with Auth0's error bodies
# ({"name": "BadRequestError", "code": ..., "description": ..., "statusCode": 400}).

use Mojo::Base 'Mojolicious::Controller', -signatures;

use Exporter qw(import);

our @EXPORT_OK = qw(password_policy_error);

my @PROFILE_FIELDS = qw(username given_name family_name name nickname picture);

sub routes ($class, $r) {
  $r->post('/dbconnections/signup')->to('DBConnections#signup');
  $r->post('/dbconnections/change_password')->to('DBConnections#change_password');
}

# Auth0's "fair" policy: at least 8 characters and 3 of the 4 character
# classes.  Returns undef when the password is acceptable, else the
# PasswordStrengthError description.
sub password_policy_error ($password) {
  my @classes = (
    [qr/[a-z]/,        'lower case letters (a-z)',           'lowerCase'],
    [qr/[A-Z]/,        'upper case letters (A-Z)',           'upperCase'],
    [qr/[0-9]/,        'numbers (i.e. 0-9)',                 'numbers'],
    [qr/[^a-zA-Z0-9]/, 'special characters (e.g. !@#$%^&*)', 'specialCharacters'],
  );
  my $length_ok = length($password) >= 8;
  my @found     = map { $password =~ $_->[0] ? \1 : \0 } @classes;
  my $classes   = grep {$$_} @found;
  return undef if $length_ok && $classes >= 3;
  return {
    rules => [
      {message => 'At least %d characters in length', format => [8], code => 'lengthAtLeast', verified => $length_ok ? \1 : \0},
      {
        message  => 'Contain at least %d of the following %d types of characters:',
        format   => [3, 4],
        code     => 'containsAtLeast',
        verified => $classes >= 3 ? \1 : \0,
        items    => [
          map { {message => $classes[$_][1], code => $classes[$_][2], verified => $found[$_]} } 0 .. $#classes
        ],
      },
    ],
    verified => \0,
  };
}

sub signup ($c) {
  my $p = $c->body_params or return;
  my $dir = $c->dir;
  for my $name (qw(client_id email password connection)) {
    return _bad($c, 'invalid_parameter', "Missing required parameter: $name") unless defined $p->{$name} && length $p->{$name};
  }
  my $client = $dir->client($p->{client_id}) or return _bad($c, 'invalid_parameter', "Unknown client: $p->{client_id}");
  my $conn   = $dir->client_connection($client, $p->{connection});
  return _bad($c, 'invalid_connection', "Connection $p->{connection} does not exist or is not enabled for this client")
    unless $conn && $conn->{strategy} eq 'auth0';
  return _bad($c, 'invalid_parameter', 'Invalid email') unless $p->{email} =~ /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
  return _bad($c, 'invalid_parameter', 'user_metadata must be an object')
    if defined $p->{user_metadata} && ref $p->{user_metadata} ne 'HASH';
  return _bad($c, 'invalid_signup', 'Invalid sign up') if $dir->user_by_email($p->{email}, $conn->{name});

  if (my $rules = password_policy_error($p->{password})) {
    return $c->render(
      status => 400,
      json   => {
        name        => 'PasswordStrengthError',
        message     => 'Password is too weak',
        code        => 'invalid_password',
        description => $rules,
        policy      => "* At least 8 characters in length\n* Contain at least 3 of the following 4 types of characters:\n"
          . " * lower case letters (a-z)\n * upper case letters (A-Z)\n * numbers (i.e. 0-9)\n * special characters (e.g. !\@#\$%^&*)",
        statusCode => 400,
      }
    );
  }
  my %fields = (map { $_ => $p->{$_} } grep { defined $p->{$_} } @PROFILE_FIELDS, 'user_metadata');
  my $user   = $dir->add_user({%fields, email => lc $p->{email}, password => $p->{password}, connection => $conn->{name}});
  $c->tenant->send_message(channel => 'email', kind => 'verify-email', to => $user->{email}, user_id => $user->{user_id});
  my ($id) = $user->{user_id} =~ /\|(.+)$/;
  return $c->render(json => {_id => $id, email_verified => \0, email => $user->{email}, %fields});
}

# Always the same answer whether or not the user exists (no enumeration);
# the "e-mail" lands in the outbox (GET /__control/outbox).  The legacy
# "password" field is accepted but, as in Auth0's v1 flow, changes nothing
# until the e-mailed link would have been followed.
sub change_password ($c) {
  my $p = $c->body_params or return;
  return _bad($c, 'invalid_parameter', 'Missing required parameter: email') unless defined $p->{email} && length $p->{email};
  my $connection = $p->{connection} // 'Username-Password-Authentication';
  if (my $user = $c->dir->user_by_email($p->{email}, $connection)) {
    $c->tenant->send_message(channel => 'email', kind => 'password-reset', to => $user->{email}, user_id => $user->{user_id});
  }
  return $c->render(text => "We've just sent you an email to reset your password.");
}

sub _bad ($c, $code, $description) {
  return $c->render(
    status => 400,
    json   => {name => 'BadRequestError', code => $code, description => $description, statusCode => 400}
  );
}

1;
