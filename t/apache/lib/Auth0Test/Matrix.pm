package Auth0Test::Matrix;

# Machine-readable results of a test matrix (the attack matrix, t/attacks; any other matrix may use it):
# every case is a TAP test (Test::More::ok) AND a JSON line in
#
#     t_dir()/logs/matrix/<MATRIX>/<test file>.jsonl        (DIR/t-apache-MPM/t/logs/matrix/... of a run)
#
# which t/apache/matrix-table turns into summary lines and markdown tables. Records, one JSON object a line:
#
#   {"type":"group", "matrix", "group", "about", "expected"}          what a group attacks, what must happen
#   {"type":"case",  "matrix", "group", "case", "target", "expected", "observed", "pass" (true|false),
#    "test" (t/attacks/01-redirects.t), "mpm", "time" (epoch)}
#
# Use:
#   my $m = Auth0Test::Matrix->new('attacks');                         # truncates this test file's results
#   $m->group('open-redirect', about => '...', expected => '...');
#   $m->case(group => 'open-redirect', case => $payload, target => 'logout returnTo (GET, /v2/logout)',
#            expected => '...', observed => '302 to ...', pass => $bool);
#   $m->summary;                                                       # a diag line: N cases, M passed
#
# Texts may hold any bytes: they are made printable (\\, \t, \r, \n, \0, \xHH) before they reach TAP or
# the JSON file.

use strict;
use warnings;

use File::Basename qw(basename dirname);
use File::Path qw(make_path);
use FindBin;
use JSON::PP ();
use POSIX ();
use Test::More ();
use Auth0Test qw(t_dir);

my $JSON = JSON::PP->new->canonical->utf8;

sub new {
	my ($class, $matrix) = @_;
	my $dir = t_dir() . "/logs/matrix/$matrix";
	make_path($dir);
	my $test = basename(dirname($0)) . '/' . basename($0);
	(my $file = $test) =~ s{/}{-}g;
	$file =~ s/\.t$//;
	open my $fh, '>', "$dir/$file.jsonl" or die "cannot write $dir/$file.jsonl: $!";
	$fh->autoflush(1);
	return bless {matrix => $matrix, fh => $fh, test => "t/$test", cases => 0, passed => 0, groups => {}}, $class;
}

# Bytes made printable and kept on one line (the escapes of t/apache/data/redirect-payloads.txt).
sub printable {
	my ($s) = @_;
	return '' unless defined $s;
	$s = "$s";
	utf8::encode($s) if utf8::is_utf8($s);
	$s =~ s/\\/\\\\/g;
	$s =~ s/\t/\\t/g;
	$s =~ s/\r/\\r/g;
	$s =~ s/\n/\\n/g;
	$s =~ s/\0/\\0/g;
	$s =~ s/([\x01-\x1f\x7f-\xff])/sprintf('\\x%02x', ord $1)/ge;
	return $s;
}

sub _write {
	my ($self, $rec) = @_;
	my $fh = $self->{fh};
	print $fh $JSON->encode($rec), "\n";
}

sub group {
	my ($self, $group, %g) = @_;
	$self->{groups}{$group} = 1;
	$self->_write({type => 'group', matrix => $self->{matrix}, group => $group, about => $g{about} // '',
		expected => $g{expected} // '', test => $self->{test}});
}

# Records one case and runs it as a TAP test; returns pass.
sub case {
	my ($self, %c) = @_;
	my $pass = $c{pass} ? 1 : 0;
	$self->{cases}++;
	$self->{passed} += $pass;
	my %rec = (type => 'case', matrix => $self->{matrix}, group => $c{group}, test => $self->{test},
		mpm => $ENV{AUTH0_TEST_MPM} // '', time => time, pass => $pass ? JSON::PP::true : JSON::PP::false);
	$rec{$_} = printable($c{$_}) for grep { defined $c{$_} } qw(case target expected observed);
	$self->_write(\%rec);
	my $name = "$c{group}: $rec{case}" . (defined $c{target} ? " [$rec{target}]" : '');
	$name = substr($name, 0, 300) . '...' if length $name > 300;
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	Test::More::ok($pass, $name) or Test::More::diag("expected: $rec{expected}; observed: " . ($rec{observed} // ''));
	return $pass;
}

sub summary {
	my ($self) = @_;
	Test::More::diag(sprintf '%s: %s matrix: %d cases, %d passed', $self->{test}, $self->{matrix},
		$self->{cases}, $self->{passed});
}


# Writes a run's results of MATRIX to build/artifacts/MATRIX.json of the source tree and
# MATRIX-<build>-<mpm>.json beside it (what t/apache/matrix-table reads), adding the date, build, MPM and
# whether httpd ran sanitized to %$doc. Returns the path of MATRIX.json, or undef when the source tree is
# not known (no Makefile in AUTH0_TEST_BUILD).
sub write_artifact {
	my ($matrix, $doc) = @_;
	my $build = $ENV{AUTH0_TEST_BUILD} // '';
	my $top;
	if (open my $mk, '<', "$build/Makefile") {
		while (<$mk>) { if (/^abs_top_srcdir\s*=\s*(\S+)/) { $top = $1; last } }
	}
	return undef unless $top && -d $top;
	my $out = "$top/build/artifacts";
	make_path($out);
	my $mpm = $ENV{AUTH0_TEST_MPM} // '';
	%$doc = (%$doc,
		matrix     => $matrix,
		date       => POSIX::strftime('%Y-%m-%dT%H:%M:%SZ', gmtime),
		build      => basename($build),
		mpm        => $mpm,
		sanitizers => ($ENV{AUTH0_TEST_HTTPD} // '') =~ /sanitized/ ? JSON::PP::true : JSON::PP::false);
	my $name = "$matrix-" . basename($build) . '-' . ($mpm || 'mpm') . '.json';
	# (suites of two builds may write MATRIX.json at the same time: each through a file of its own)
	for my $file ("$out/$name", "$out/$matrix.json") {
		my $tmp = "$file.$$.tmp";
		open my $fh, '>', $tmp or die "cannot write $tmp: $!";
		print $fh $JSON->encode($doc);
		close $fh;
		rename $tmp, $file or die "cannot rename $tmp: $!";
	}
	return "$out/$matrix.json";
}

1;
