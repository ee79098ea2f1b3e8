#!/usr/bin/perl
# The demo's API (AuthType Auth0Bearer, Require auth0-scope read:messages): answers who called it.
use strict;
use warnings;
use JSON::PP;

my %claims = map { substr($_, 12) => $ENV{$_} } grep { /^AUTH0_CLAIM_/ } keys %ENV;
print "Content-Type: application/json\r\nCache-Control: no-store\r\n\r\n";
print JSON::PP->new->canonical->pretty->encode({
	message => 'Hello from an API protected by mod_auth0',
	user    => $ENV{REMOTE_USER},
	claims  => \%claims,
});
