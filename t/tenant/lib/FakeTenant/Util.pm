package FakeTenant::Util;

# Small helpers shared by every module: random identifiers, base64url,
# timestamps and the scope-string helpers.

use Mojo::Base -strict, -signatures;

use Crypt::PRNG qw(random_bytes random_string_from);
use Exporter qw(import);
use MIME::Base64 qw(encode_base64url decode_base64url);
use POSIX qw(strftime);

our @EXPORT_OK = qw(b64url b64url_decode iso_time random_digits random_id random_token scope_list scope_set);

my $ALNUM = join '', 'A' .. 'Z', 'a' .. 'z', 0 .. 9;

# "rol_" . 16 alphanumerics, the shape of Auth0's own identifiers.
sub random_id ($prefix, $length = 16) { $prefix . random_string_from($ALNUM, $length) }

# Unguessable opaque value (codes, tokens, session ids).
sub random_token ($bytes = 32) { encode_base64url(random_bytes($bytes)) }

sub random_digits ($n) { random_string_from('0123456789', $n) }

sub b64url ($bytes) { encode_base64url($bytes) }

sub b64url_decode ($text) { decode_base64url($text) }

# Auth0 renders dates as ISO 8601 with milliseconds in UTC.
sub iso_time ($epoch) { strftime('%Y-%m-%dT%H:%M:%S.000Z', gmtime $epoch) }

# "openid  profile" -> ["openid", "profile"], duplicates removed, order kept.
sub scope_list ($string) {
  my %seen;
  return [grep { length && !$seen{$_}++ } split /\s+/, $string // ''];
}

sub scope_set ($string) { return {map { $_ => 1 } @{scope_list($string)}} }

1;
