#!/usr/bin/env perl
# Test backend for mod_auth0: answers with its CGI environment as JSON, so
# that tests see REMOTE_USER, AUTH0_CLAIM_* and the HTTP_* forms of headers.
use strict;
use warnings;
use JSON::PP ();

my %env = map { $_ => $ENV{$_} } grep { /^(?:REMOTE_USER|AUTH_TYPE|AUTH0_|HTTP_|REDIRECT_|SPOOF_)/ } keys %ENV;
binmode STDOUT;
print "Content-Type: application/json\r\n\r\n";
print JSON::PP->new->canonical->encode(\%env);
