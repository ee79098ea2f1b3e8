package FakeTenant::Faults;

# Fault injection (POST /__control/faults): rules matched on method and path
# (and the token grant type) that replace or delay the real answer, to test a
# client's retries, timeouts and defensive parsing.  Everything is driven by
# the event loop, so a delayed, held or black-holed request never stalls the
# others.
#
# Gates: a rule with `gate => NAME` holds each request it matches until the
# test opens that gate (POST /__control/gates), so that a test can make two
# requests of its client meet without guessing how long to wait: it sees the
# first one held (GET /__control/gates, or the counters), brings the second
# where it wants it, then opens the gate.

use Mojo::Base -base, -signatures;

use List::Util qw(min);
use Mojo::IOLoop;
use Mojo::JSON qw(encode_json);
use Mojo::Message::Response;

has rules => sub { [] };
# NAME => {open => 0|1, held => [callbacks], waited => N}
has gates => sub { {} };

my %ACTIONS      = map { $_ => 1 } qw(respond delay blackhole close truncate malformed huge);
my $MAX_HUGE     = 256 * 1024 * 1024;
my $HOLD_SECONDS = 600;    # a black-holed connection is dropped after this
my $MAX_RULES    = 1000;
my $MAX_GATES    = 100;

# Clearing the rules opens every gate first: a request a test left held is answered, never stranded.
sub clear ($self) {
  $self->open_gate($_) for keys %{$self->gates};
  $self->gates({});
  $self->rules([]);
}

# A gate by name, made closed on first mention (undef past $MAX_GATES gates).
sub _gate ($self, $name) {
  my $gates = $self->gates;
  return undef if !$gates->{$name} && keys %$gates >= $MAX_GATES;
  return $gates->{$name} //= {open => 0, held => [], waited => 0};
}

# Opens a gate: the requests it holds go on, in the order they came, and later ones pass at once.
sub open_gate ($self, $name) {
  my $gate = $self->_gate($name) // return undef;
  $gate->{open} = 1;
  my @held = @{$gate->{held}};
  $gate->{held} = [];
  $_->() for @held;
  return $gate;
}

# Closes a gate (again): the next requests of its rules are held.
sub close_gate ($self, $name) {
  my $gate = $self->_gate($name) // return undef;
  $gate->{open} = 0;
  return $gate;
}

# {NAME => {open => 0 or 1, held => requests held now, waited => requests held in all}}
sub gate_view ($self) {
  my $gates = $self->gates;
  return {map { $_ => {open => $gates->{$_}{open} ? 1 : 0, held => scalar @{$gates->{$_}{held}},
    waited => $gates->{$_}{waited}} } keys %$gates};
}

# Validates and stores a rule; returns (rule) or (undef, error).
sub add ($self, $spec) {
  return (undef, 'a fault rule must be an object') unless ref $spec eq 'HASH';
  return (undef, "at most $MAX_RULES rules") if @{$self->rules} >= $MAX_RULES;
  my %rule = %$spec;
  return (undef, 'path is required') unless defined $rule{path} && $rule{path} =~ m{^/};
  if (($rule{preset} // '') eq 'rate_limit') {
    $rule{action} //= 'respond';
    $rule{status} //= 429;
  }
  elsif (defined $rule{preset}) { return (undef, "unknown preset: $rule{preset}") }
  $rule{action} //= defined $rule{status} || defined $rule{body} ? 'respond' : 'delay';
  return (undef, "unknown action: $rule{action}") unless $ACTIONS{$rule{action}};
  return (undef, 'delay_ms must be a non-negative number') if defined $rule{delay_ms} && $rule{delay_ms} !~ /^\d+$/;
  return (undef, 'times must be a non-negative integer') if defined $rule{times} && $rule{times} !~ /^\d+$/;
  return (undef, "size must be between 16 and $MAX_HUGE")
    if $rule{action} eq 'huge' && defined $rule{size} && ($rule{size} !~ /^\d+$/ || $rule{size} < 16 || $rule{size} > $MAX_HUGE);
  return (undef, 'headers must be an object') if defined $rule{headers} && ref $rule{headers} ne 'HASH';
  return (undef, 'grant_type must be a string') if defined $rule{grant_type} && (ref $rule{grant_type} || $rule{grant_type} eq '');
  if (defined $rule{gate}) {
    return (undef, 'gate must be a name (letters, digits, - and _)') unless !ref $rule{gate} && $rule{gate} =~ /^[\w-]{1,64}$/;
    return (undef, 'a black hole never answers: it cannot wait at a gate') if $rule{action} eq 'blackhole';
    return (undef, "at most $MAX_GATES gates") unless $self->_gate($rule{gate});
  }
  $rule{method}    = uc $rule{method} if defined $rule{method};
  $rule{remaining} = $rule{times} // 1;
  $rule{remaining} = -1 if $rule{remaining} == 0;    # 0 = until cleared
  $rule{hits}      = 0;
  push @{$self->rules}, \%rule;
  return (\%rule);
}

# The first rule matching this request, used up by one.  $grant_type: the
# grant of a POST /oauth/token (undef for any other request), which a rule
# with grant_type must match.
sub take ($self, $method, $path, $grant_type = undef) {
  for my $rule (@{$self->rules}) {
    next if defined $rule->{method} && $rule->{method} ne $method;
    next if defined $rule->{grant_type} && ($grant_type // '') ne $rule->{grant_type};
    my $want = $rule->{path};
    next unless $want =~ /\*$/ ? index($path, substr($want, 0, -1)) == 0 : $path eq $want;
    $rule->{hits}++;
    $rule->{remaining}-- if $rule->{remaining} > 0;
    $self->rules([grep { $_->{remaining} != 0 } @{$self->rules}]);
    return $rule;
  }
  return undef;
}

# Carries out a rule for the request in $c; $next continues normal dispatch.
sub apply ($self, $c, $rule, $next) {
  my $action = $rule->{action};
  my $run    = sub {
    return _continue($c, $next) if $action eq 'delay';
    return _close($c)           if $action eq 'close';
    return _huge($c, $rule)     if $action eq 'huge';
    return _truncate($c, $rule) if $action eq 'truncate';
    return _respond($c, $rule, $action eq 'malformed' ? '{"access_token": "tok" "token_type": Bearer,' : undef);
  };
  my $delay = ($rule->{delay_ms} // 0) / 1000;
  # render_later would make the delayed dispatch skip routing; a delay
  # just leaves the response pending.
  $c->render_later unless $action eq 'delay';
  if ($action eq 'blackhole') {
    $c->inactivity_timeout($HOLD_SECONDS);
    return;
  }
  if (defined $rule->{gate}) {
    # held until the gate opens (the delay, if any, counted from then); the connection stays up meanwhile
    my $gate = $self->_gate($rule->{gate});
    my $go   = $delay ? sub { $c->inactivity_timeout($delay + 30); Mojo::IOLoop->timer($delay => $run) } : $run;
    return $go->() if $gate->{open};
    $gate->{waited}++;
    $c->inactivity_timeout($HOLD_SECONDS);
    push @{$gate->{held}}, $go;
    return;
  }
  return $run->() unless $delay;
  $c->inactivity_timeout($delay + 30);
  Mojo::IOLoop->timer($delay => $run);
}

sub _continue ($c, $next) {
  $c->helpers->reply->exception($@) unless eval { $next->(); 1 };
}

sub _close ($c) {
  my $stream = Mojo::IOLoop->stream($c->tx->connection // '');
  $stream->close if $stream;
}

# Auth0's 429 headers; X-RateLimit-Reset is an epoch second.
sub _rate_limit_headers ($c, $rule) {
  my $after = $rule->{retry_after} // 1;
  return {
    'Retry-After'           => $after,
    'X-RateLimit-Limit'     => $rule->{limit} // 10,
    'X-RateLimit-Remaining' => 0,
    'X-RateLimit-Reset'     => $c->tenant->now + $after,
  };
}

sub _default_body ($c, $status) {
  my $mgmt = $c->req->url->path->to_string =~ m{^/api/v2/};
  if ($status == 429) {
    my $message = 'Global limit has been reached';
    return encode_json($mgmt
      ? {statusCode => 429, error => 'Too Many Requests', message => $message, errorCode => 'too_many_requests'}
      : {error => 'too_many_requests', error_description => $message});
  }
  my $reason = Mojo::Message::Response->default_message($status) // 'Error';
  return encode_json($mgmt
    ? {statusCode => $status + 0, error => $reason, message => 'Injected fault'}
    : {error => 'server_error', error_description => "Injected fault: $reason"});
}

sub _set_headers ($c, $rule) {
  my $headers = $c->res->headers;
  my %extra   = (($rule->{preset} // '') eq 'rate_limit' ? %{_rate_limit_headers($c, $rule)} : (), %{$rule->{headers} // {}});
  $headers->header($_ => $extra{$_}) for sort keys %extra;
  $headers->content_type($rule->{content_type} // 'application/json');
}

sub _respond ($c, $rule, $body) {
  my $status = $rule->{status} // ($body ? 200 : 500);
  _set_headers($c, $rule);
  $c->render(data => $rule->{body} // $body // _default_body($c, $status), status => $status);
}

# Announces the whole body in Content-Length, sends half, hangs up.  The
# bytes go straight to the socket: Mojo's response writer would notice.
sub _truncate ($c, $rule) {
  my $stream = Mojo::IOLoop->stream($c->tx->connection // '') or return;
  my $body   = $rule->{body}
    // encode_json({access_token => 'x' x 64, id_token => 'y' x 64, token_type => 'Bearer', expires_in => 86400});
  my $status = $rule->{status} // 200;
  my %headers = (%{$rule->{headers} // {}}, 'Content-Type' => $rule->{content_type} // 'application/json',
    'Content-Length' => length $body, Connection => 'close');
  my $head = "HTTP/1.1 $status " . (Mojo::Message::Response->default_message($status) // 'Unknown') . "\r\n"
    . join('', map {"$_: $headers{$_}\r\n"} sort keys %headers) . "\r\n";
  $stream->write($head . substr($body, 0, length($body) >> 1));
  $stream->close_gracefully;
}

# A valid JSON document of exactly `size` bytes, streamed in 64 KiB chunks
# so the tenant never holds it in memory.
sub _huge ($c, $rule) {
  my $size = $rule->{size} // 8 * 1024 * 1024;
  my ($head, $tail) = ('{"padding":"', '"}');
  _set_headers($c, $rule);
  $c->res->code($rule->{status} // 200);
  $c->res->headers->content_length($size);
  my $left = $size - length($head) - length($tail);
  my $chunk = 'x' x 65536;
  $c->write($head => sub ($c, @) {
    return $c->write($tail => sub ($c, @) { $c->write('') }) unless $left;
    my $n = min($left, 65536);
    $left -= $n;
    $c->write(substr($chunk, 0, $n) => __SUB__);
  });
}

1;
