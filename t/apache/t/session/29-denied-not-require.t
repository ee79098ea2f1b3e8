# The access-denied page (28-denied-page.t) is for Require's refusals only: a signed-in user whom Require
# lets through and who then gets a 401 or 403 from elsewhere keeps httpd's answer, since signing in with
# another account would change nothing. Here: a backend's 403 and 401 that ProxyErrorOverride On turns into
# httpd's error response (which runs the same insert_error_filter hook as Require's), and a 403 for a file
# that httpd's workers may not read. denied.c tells them apart by authorization having let the request
# through (mod_auth0.c's authz_passed); a Require refusal in the same site still gets the page.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
use Test::More;

reset_tenant();
autologin('bob@example.com');

# a file that the workers cannot read: mode 000 in a directory of this test (httpd's workers are nobody
# when the tests run as root, else the user running them, whom mode 000 keeps out as well)
my $dir = t_dir() . "/logs/denied-files-$$";
mkdir $dir or die "mkdir $dir: $!";
chmod 0755, $dir;
for my $name (qw(locked.html open.html)) {
	open my $fh, '>', "$dir/$name" or die "cannot write $dir/$name: $!";
	print $fh "<p>the file $name</p>\n";
	close $fh;
}
chmod 0000, "$dir/locked.html";
chmod 0644, "$dir/open.html";

my $backend = free_port();
my ($h, $base) = app_site_start('', server => <<"EOS", after => <<"EOC");
# the backend: another virtual host of this httpd, on plain http, answering 403 and 401 itself
Listen 127.0.0.1:$backend http
<VirtualHost 127.0.0.1:$backend>
    ServerName 127.0.0.1
    RewriteEngine On
    RewriteRule ^/forbidden/ - [F]
    RewriteRule ^/unauthorized/ - [R=401]
    RewriteRule ^/ok/ - [R=204]
</VirtualHost>
EOS
Alias /files/ "$dir/"
Alias /open-files/ "$dir/"
<Location /backend/>
    ProxyPass http://127.0.0.1:$backend/
    ProxyErrorOverride On
</Location>
<Location /bob-only-backend/>
    Require auth0-claim email bob\@example.com
    ProxyPass http://127.0.0.1:$backend/
    ProxyErrorOverride On
</Location>
<Location /files/>
    Require valid-user
</Location>
<Location /alice/>
    Require auth0-claim email alice\@example.com
</Location>
<Location /open-files/>
    AuthType None
    Require all granted
</Location>
EOC

my $b = browser();
is $b->visit("$base/echo")->code, 200, 'bob signs in';

# httpd's own error response, not the module's page
sub httpd_answer_ok {
	my ($res, $status, $what) = @_;
	is $res->code, $status, "$what: $status";
	my $body = $res->decoded_content // '';
	unlike $body, qr/Access denied|signed in as/, "$what: not the access-denied page";
	like $body, qr{<title>\Q$status\E }, "$what: httpd's page for $status";
	unlike $res->header('Content-Security-Policy') // '', qr/default-src 'none'/, "$what: without the pages' headers";
}

# the control: a Require refusal in this site gets the page
my $res = $b->get("$base/alice/echo");
is $res->code, 401, 'refused by Require: 401';
like $res->decoded_content, qr{<h1>Access denied</h1>}, '... the access-denied page (the control)';

# the backend's answers, through ProxyErrorOverride On
is $b->get("$base/backend/ok/")->code, 204, 'the backend is reached as bob';
httpd_answer_ok($b->get("$base/backend/forbidden/x"), 403, "a backend's 403 (ProxyErrorOverride On)");
httpd_answer_ok($b->get("$base/backend/unauthorized/x"), 401, "a backend's 401 (ProxyErrorOverride On)");
httpd_answer_ok($b->get("$base/bob-only-backend/forbidden/x"), 403,
	"a backend's 403 behind a Require auth0-claim that let bob through");

# a file the workers cannot read
SKIP: {
	my $open = browser()->get("$base/open-files/open.html");
	my $probe = browser()->get("$base/open-files/locked.html");
	skip "httpd's workers read a file of mode 000 (they run with CAP_DAC_OVERRIDE): no 403 to test", 5
		unless $open->code == 200 && $probe->code == 403;
	pass 'anyone gets 403 for the file of mode 000 where no login is needed (httpd reads it as a worker)';
	httpd_answer_ok($b->get("$base/files/locked.html"), 403, "a file's permissions, for a signed-in user");
}
is $b->get("$base/files/open.html")->code, 200, '... whose readable neighbour bob gets';

httpd_stop($h);
chmod 0644, "$dir/locked.html";
done_testing();
