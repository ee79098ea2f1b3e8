#!/usr/bin/env perl
# Test backend for Auth0BearerTokenFrom (api/token-from.t): answers with the request's query and target as
# the CGI gets them, its user and the token passed to it, as JSON.
use strict;
use warnings;
use JSON::PP ();

my %env = map { $_ => $ENV{$_} } grep { exists $ENV{$_} }
	qw(QUERY_STRING REQUEST_URI REMOTE_USER AUTH0_ACCESS_TOKEN HTTP_X_AUTH0_ACCESS_TOKEN HTTP_COOKIE
	   HTTP_AUTHORIZATION REDIRECT_QUERY_STRING REDIRECT_STATUS);
binmode STDOUT;
print "Content-Type: application/json\r\n\r\n";
print JSON::PP->new->canonical->encode(\%env);
