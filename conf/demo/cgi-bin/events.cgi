#!/usr/bin/perl
# /api/live/events: server-sent events (text/event-stream) for a browser's EventSource, which cannot send an
# Authorization header: its access token comes in the access_token query parameter or in the live_token
# cookie (Auth0BearerTokenFrom, AuthType Auth0Bearer). The first event, "who", says what this CGI was given:
# the user, its query and URI, the names of its cookies, whether an Authorization header reached it, and the
# names of the variables holding anything like a token (a JWT, or an access_token parameter): none, since
# httpd takes the token out of the query before the CGI runs and the demo's RequestHeader takes the cookie
# out. Then a few "tick" events and a "bye": the browser's EventSource would reconnect at the end of the
# stream, after "retry" (a minute) unless the page closes it first, as /live.js does on "bye".
use strict;
use warnings;
use JSON::PP;
use Time::HiRes qw(sleep);

$| = 1; # each event leaves as it is written
my $json = JSON::PP->new->canonical;
sub event {
	my ($name, $data) = @_;
	print "event: $name\ndata: ", $json->encode($data), "\n\n";
}

my $token_like = qr/eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.|access[_.\[ ]token/i;
my @holding = sort grep { ($ENV{$_} // '') =~ $token_like } keys %ENV;
my @cookies = map { (split /=/, $_, 2)[0] } grep { length } split /;\s*/, $ENV{HTTP_COOKIE} // '';

print "Content-Type: text/event-stream\r\nCache-Control: no-store\r\n\r\n";
print "retry: 60000\n\n";
event(who => {
	user          => $ENV{REMOTE_USER},
	query         => $ENV{QUERY_STRING} // '',
	request_uri   => $ENV{REQUEST_URI} // '',
	cookies       => \@cookies,
	authorization => exists $ENV{HTTP_AUTHORIZATION} ? JSON::PP::true : JSON::PP::false,
	token_in      => \@holding,
});
for my $n (1 .. 3) {
	sleep 0.3;
	event(tick => { n => $n, time => time });
}
event(bye => {});
