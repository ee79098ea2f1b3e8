package FakeTenant::UserSearch;

# The subset of Auth0's user search syntax (q=, Lucene-like) the fake
# tenant understands:
#   email:"alice@example.com"     exact value (case-insensitive)
#   email:*example*  name:j*      wildcards * and ? (unquoted values)
#   app_metadata.plan:gold        dotted paths into the user
#   _exists_:phone_number         field present
#   alice                         plain text: any word of email, name,
#                                 nickname, username, given/family name, user_id
#   a AND b, a b (implicit AND), a OR b, NOT a, -a
# Parentheses and ranges are rejected with an error rather than guessed.

use Mojo::Base -strict, -signatures;

use Exporter qw(import);

our @EXPORT_OK = qw(compile_query);

my @TEXT_FIELDS = qw(email name nickname username given_name family_name user_id phone_number);

# Returns (matcher) or (undef, error).  The matcher takes a user view.
sub compile_query ($q) {
  my @tokens = eval { _tokenize($q) };
  return (undef, $@ =~ s/\n$//r) if $@;
  my @any = ([]);    # OR of ANDs
  my $negate = 0;
  for my $t (@tokens) {
    if (($t->{op} // '') eq 'OR')  { push @any, []; next }
    if (($t->{op} // '') eq 'AND') { next }
    if (($t->{op} // '') eq 'NOT') { $negate = 1; next }
    push @{$any[-1]}, {%$t, neg => $t->{neg} ^ $negate};
    $negate = 0;
  }
  return (undef, 'empty query') unless grep {@$_} @any;
  return (sub ($user) {
    for my $all (grep {@$_} @any) {
      # A term fails when its match result equals its negation flag.
      return 1 unless grep { (_term_matches($_, $user) ? 1 : 0) == $_->{neg} } @$all;
    }
    return 0;
  });
}

sub _tokenize ($q) {
  my @tokens;
  while (1) {
    $q =~ s/^\s+//;
    last unless length $q;
    if ($q =~ s/^(AND|OR|NOT)(?=\s|$)//) { push @tokens, {op => $1}; next }
    die "parentheses and ranges are not supported\n" if $q =~ /^[()\[\]{}]/;
    my %t = (neg => $q =~ s/^-// ? 1 : 0);
    $t{field} = $1 if $q =~ s/^([A-Za-z_][\w.]*)://;
    if    ($q =~ s/^"((?:[^"\\]|\\.)*)"//) { @t{qw(value quoted)} = ($1 =~ s/\\(.)/$1/gr, 1) }
    elsif ($q =~ s/^([^\s"()\[\]{}]+)//)   { $t{value} = $1 }
    else                                   { die 'unbalanced quotes or unsupported syntax near: ' . substr($q, 0, 20) . "\n" }
    push @tokens, \%t;
  }
  return @tokens;
}

# A comparator for one value: wildcard pattern or case-insensitive equality.
sub _value_test ($t) {
  if (!$t->{quoted} && $t->{value} =~ /[*?]/) {
    my $re = join '', map { $_ eq '*' ? '.*' : $_ eq '?' ? '.' : quotemeta } split /([*?])/, $t->{value};
    return sub ($v) { $v =~ /^$re$/is };
  }
  my $want = lc $t->{value};
  return sub ($v) { lc $v eq $want };
}

sub _term_matches ($t, $user) {
  $t->{test} //= _value_test($t);
  if (!defined $t->{field}) {
    for my $value (grep {defined} map { $user->{$_} } @TEXT_FIELDS) {
      return 1 if grep { $t->{test}->($_) } $value, split /[\s@.\-_+|]+/, $value;
    }
    return 0;
  }
  return scalar grep {defined} _values_at($user, $t->{value}) if $t->{field} eq '_exists_';
  return scalar grep { $t->{test}->($_) } _values_at($user, $t->{field});
}

# Scalar values at a dotted path; arrays are searched element by element.
sub _values_at ($data, $path) {
  my @nodes = ($data);
  for my $key (split /\./, $path) {
    @nodes = map { ref $_ eq 'ARRAY' ? @$_ : $_ } @nodes;
    @nodes = map { ref $_ eq 'HASH' ? $_->{$key} : () } @nodes;
  }
  @nodes = map { ref $_ eq 'ARRAY' ? @$_ : $_ } @nodes;
  return map { ref $_ && ref $_ ne 'HASH' ? ($$_ ? 'true' : 'false') : $_ } grep { defined && ref ne 'HASH' } @nodes;
}

1;
