#!/usr/bin/perl
# The backend of the attack matrix: prints its whole CGI environment (every variable, whatever its name)
# and the request body as one JSON object, so that a test can search everything a backend could read.
use strict;
use warnings;
use JSON::PP ();

my %out = (ENV => {%ENV});
if (($ENV{CONTENT_LENGTH} // 0) > 0) {
	read STDIN, my $body, $ENV{CONTENT_LENGTH};
	$out{BODY} = $body;
} elsif (defined $ENV{HTTP_TRANSFER_ENCODING}) {
	# a chunked body has no CONTENT_LENGTH: read to the end (mod_cgid closes our stdin after it), or
	# mod_cgid's socket is reset by the unread bytes when we exit and httpd loses our answer
	local $/;
	$out{BODY} = <STDIN>;
}
binmode STDOUT;
print "Content-Type: application/json\r\nCache-Control: no-store\r\n\r\n";
print JSON::PP->new->canonical->encode(\%out), "\n";
