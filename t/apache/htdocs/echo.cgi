#!/usr/bin/perl
# Prints what a backend sees: the CGI environment (REMOTE_USER, AUTH0_*, HTTP_* request headers,
# REQUEST_URI, ...) as one JSON object.
use strict;
use warnings;
use JSON::PP ();

my %env = map { $_ => $ENV{$_} } grep { /^(?:HTTP_|AUTH0_|REDIRECT_AUTH0_|REDIRECT_STATUS$|REMOTE_USER$|AUTH_TYPE$|REQUEST_|QUERY_STRING$|HTTPS$|SCRIPT_|PATH_INFO$|SERVER_PORT$)/ } keys %ENV;
my $body = '';
if (($ENV{REQUEST_METHOD} // '') eq 'POST') {
	read STDIN, $body, $ENV{CONTENT_LENGTH} // 0;
}
$env{BODY} = $body if length $body;
print "Content-Type: application/json\r\nCache-Control: no-store\r\n\r\n";
print JSON::PP->new->canonical->encode(\%env), "\n";
