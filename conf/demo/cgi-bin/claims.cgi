#!/usr/bin/perl
# The demo's protected page (AuthType Auth0): who is signed in, and the claims mod_auth0 passes to
# backends as environment variables (AUTH0_CLAIM_<name>; headers X-Auth0-<name> for proxied backends).
use strict;
use warnings;

sub esc {
	my $s = shift // '';
	$s =~ s/&/&amp;/g; $s =~ s/</&lt;/g; $s =~ s/>/&gt;/g; $s =~ s/"/&quot;/g; $s =~ s/'/&#39;/g;
	return $s;
}

# a note posted from the home page (a form: note=...)
my $note;
if (($ENV{REQUEST_METHOD} // '') eq 'POST') {
	read STDIN, my $body, $ENV{CONTENT_LENGTH} // 0;
	for (split /&/, $body // '') {
		my ($k, $v) = map { (my $x = $_ // '') =~ tr/+/ /; $x =~ s/%([0-9A-Fa-f]{2})/chr hex $1/ge; $x } split /=/, $_, 2;
		$note = $v if $k eq 'note';
	}
}
my $user = $ENV{REMOTE_USER} // '';
my @rows = map { my $n = substr $_, 12; "<tr><th>" . esc($n) . "</th><td class=\"v\">" . esc($ENV{$_}) . "</td></tr>\n" }
  sort grep { /^AUTH0_CLAIM_/ } keys %ENV;
my $name = esc($ENV{AUTH0_CLAIM_name} // $ENV{AUTH0_CLAIM_email} // $user);

print "Content-Type: text/html; charset=utf-8\r\nCache-Control: no-store\r\n\r\n";
print <<"EOH";
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Protected page · mod_auth0 demo</title>
<link rel="stylesheet" href="/demo.css"></head>
<body><main>
<nav><a href="/">Home</a><a id="admin" href="/admin/">Admin page</a><a id="logout" href="/logout">Sign out</a></nav>
<h1 id="hello">Hello, $name</h1>
<p>You are signed in: REMOTE_USER is <code id="remote-user">@{[esc($user)]}</code> (AUTH_TYPE @{[esc($ENV{AUTH_TYPE})]}).
These are the claims of your ID token, as mod_auth0 passes them to this CGI:</p>
@{[defined $note ? '<p>Your note: <q id="note">' . esc($note) . "</q></p>\n" : '']}<table id="claims"><thead><tr><th>claim</th><th>value</th></tr></thead><tbody>
@rows</tbody></table>
</main></body></html>
EOH
