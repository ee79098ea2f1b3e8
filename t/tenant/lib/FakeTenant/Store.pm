package FakeTenant::Store;

# Short-lived artifacts of the tenant (authorization codes, sessions, refresh
# tokens, PAR requests, OTPs, CIBA/device requests, used assertion jtis...),
# each with an expiry on the tenant clock.  Every kind is capped so that no
# client, however buggy, can make the tenant grow without bound.

use Mojo::Base -base, -signatures;

# Returns the tenant's notion of "now" (epoch seconds, clock offset applied).
has clock => sub { sub { time } };

# Entries per kind.  Past this, expired entries are purged and, if the kind
# is still full, the tenth of the entries closest to expiry is dropped (a
# long load test then loses its oldest sessions rather than failing).
has cap => 50_000;

# Expired entries are kept this long so that endpoints can tell "expired"
# (expired_token) from "never existed" (invalid_grant), as Auth0 does.
has grace => 600;

sub put ($self, $kind, $key, $data, $ttl) {
  my $bucket = $self->{data}{$kind} //= {};
  if (!exists $bucket->{$key} && keys %$bucket >= $self->cap) {
    $self->purge($kind);
    if (keys %$bucket >= $self->cap) {
      my @oldest = sort { $bucket->{$a}{expires_at} <=> $bucket->{$b}{expires_at} } keys %$bucket;
      delete @$bucket{@oldest[0 .. int($self->cap / 10)]};
    }
  }
  $data->{expires_at} = $self->clock->() + $ttl;
  return $bucket->{$key} = $data;
}

# The live entry, or undef when absent or expired.
sub get ($self, $kind, $key) {
  my $entry = $self->peek($kind, $key) or return undef;
  return $entry->{expires_at} > $self->clock->() ? $entry : undef;
}

# The entry even if it expired recently (callers check expires_at).
sub peek ($self, $kind, $key) {
  return undef unless defined $key;
  my $entry = $self->{data}{$kind}{$key} or return undef;
  if ($entry->{expires_at} + $self->grace <= $self->clock->()) {
    delete $self->{data}{$kind}{$key};
    return undef;
  }
  return $entry;
}

sub take ($self, $kind, $key) {
  my $entry = $self->get($kind, $key) or return undef;
  delete $self->{data}{$kind}{$key};
  return $entry;
}

sub remove ($self, $kind, $key) { delete $self->{data}{$kind}{$key} }

sub expired ($self, $entry) { $entry->{expires_at} <= $self->clock->() }

# [key, entry] pairs of the live entries of a kind.
sub entries ($self, $kind) {
  my $now    = $self->clock->();
  my $bucket = $self->{data}{$kind} // {};
  return [map { [$_, $bucket->{$_}] } grep { $bucket->{$_}{expires_at} > $now } sort keys %$bucket];
}

sub purge ($self, $kind) {
  my $limit  = $self->clock->() - $self->grace;
  my $bucket = $self->{data}{$kind} // {};
  delete @$bucket{grep { $bucket->{$_}{expires_at} <= $limit } keys %$bucket};
}

sub clear ($self) { $self->{data} = {} }

1;
