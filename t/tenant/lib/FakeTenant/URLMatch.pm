package FakeTenant::URLMatch;

# Matching of redirect_uri / returnTo values against a client's allowed
# URLs.  Entries match exactly, except that a loopback entry may use "*" as
# its port ("https://127.0.0.1:*/callback"): native and test apps listen on
# whatever port they got (RFC 8252 section 7.3).

use Mojo::Base -strict, -signatures;

use Exporter qw(import);
use Mojo::URL;

our @EXPORT_OK = qw(url_allowed);

my %LOOPBACK = map { $_ => 1 } qw(127.0.0.1 localhost [::1]);

# $opt{ignore_query}: compare without the query string (logout URLs).
sub url_allowed ($url, $allowed, %opt) {
  return 0 unless defined $url && length $url && $url !~ /[\s#]/;
  my $candidate = $opt{ignore_query} ? $url =~ s/\?.*//sr : $url;
  for my $entry (@{$allowed // []}) {
    my $pattern = $opt{ignore_query} ? $entry =~ s/\?.*//sr : $entry;
    return 1 if $pattern eq $candidate;
    return 1 if _wildcard_port_match($pattern, $candidate);
  }
  return 0;
}

sub _wildcard_port_match ($pattern, $candidate) {
  my ($scheme, $host, $rest) = $pattern =~ m{^(https?)://([^/]+?):\*(/.*)?$} or return 0;
  return 0 unless $LOOPBACK{lc $host};
  my $url = Mojo::URL->new($candidate);
  return 0 unless lc($url->scheme // '') eq $scheme && lc($url->host // '') eq lc $host;
  return 0 if defined $url->userinfo;
  my $tail = $url->path->to_string;
  $tail = '/' unless length $tail;
  $tail .= '?' . $url->query->to_string if length $url->query->to_string;
  return $tail eq ($rest // '/');
}

1;
