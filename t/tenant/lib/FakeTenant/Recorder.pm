package FakeTenant::Recorder;

# Counts requests per "METHOD /path/template" (plus per grant type on the
# token endpoint) and keeps the last requests verbatim, so tests can assert
# how often a client called and exactly what it sent.

use Mojo::Base -base, -signatures;

use Mojo::Parameters;
use Mojo::Util qw(decode);

has limit      => 1000;     # requests kept
has body_limit => 65536;    # bytes of each body kept

sub reset ($self) { $self->reset_counters; $self->{log} = []; $self }

sub reset_counters ($self) { $self->{counters} = {} }

sub counters ($self) { $self->{counters} }

# $template: the route pattern ("/api/v2/users/{id}"), or the raw path when
# no route matches; $grant: the grant_type of a token request.
sub record ($self, $c, $template, $grant) {
  my $req = $c->req;
  my $key = $req->method . " $template";
  $self->{counters}{$key}++;
  $self->{counters}{"$key grant=$grant"}++ if defined $grant;

  my $headers = $req->headers;
  my %headers;
  for my $name (@{$headers->names}) {
    my @values = @{$headers->every_header($name)};
    $headers{lc $name} = @values > 1 ? \@values : $values[0];
  }
  my $bytes = $req->body;
  my $body  = decode('UTF-8', $bytes) // $bytes;
  my $query = $req->url->query->to_string;
  push @{$self->{log}}, {
    method         => $req->method,
    path           => $req->url->path->to_string,
    template       => $template,
    query          => $query,
    query_params   => Mojo::Parameters->new($query)->to_hash,
    headers        => \%headers,
    body           => substr($body, 0, $self->body_limit),
    body_truncated => length($body) > $self->body_limit ? \1 : \0,
    body_length    => length $bytes,
    time           => time,
  };
  shift @{$self->{log}} while @{$self->{log}} > $self->limit;
}

# The last $limit requests (oldest first) whose path or template equals
# $path, or starts with it when $path ends in "*".
sub requests ($self, $path, $limit) {
  my @hits = @{$self->{log}};
  if (defined $path && length $path) {
    my $match
      = $path =~ s/\*$//
      ? sub ($p) { index($p, $path) == 0 }
      : sub ($p) { $p eq $path };
    @hits = grep { $match->($_->{path}) || $match->($_->{template}) } @hits;
  }
  splice @hits, 0, @hits - $limit if @hits > $limit;
  return \@hits;
}

1;
