# Fault matrix summary: every case of the catalogue (Auth0Test::Faults) must have run and passed in this
# run (the other t/faults/*.t record their cases in t/logs/matrix/faults/). Prints
#
#     fault matrix: N cases, N passed
#
# and writes the results, in the catalogue's order, to build/artifacts/faults.json of the source tree
# (and faults-<build>-<mpm>.json beside it), which `t/apache/matrix-table faults` turns into a table.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
use Auth0Test::Faults;
use File::Basename qw(basename);
use File::Path qw(make_path);
use JSON::PP ();
use POSIX qw(strftime);
use Test::More;

my $JSON = JSON::PP->new->canonical->utf8->pretty;
my $dir = t_dir() . '/logs/matrix/faults';
my %got;
for my $file (sort glob "$dir/*.jsonl") {
	open my $fh, '<', $file or next;
	while (<$fh>) {
		my $r = eval { JSON::PP->new->utf8->decode($_) } or next;
		$got{$r->{case}} = $r if ($r->{type} // '') eq 'case';
	}
}
plan skip_all => 'no fault case ran (run the whole t/faults directory)' unless %got;

my @results;
my ($passed, $failed, $missing) = (0, 0, 0);
for my $c (@CASES) {
	my ($id, $group, $case, $expected, $also) = @$c;
	my $r = delete $got{$id};
	my $result = !$r ? 'not run' : $r->{pass} ? 'pass' : 'fail';
	$result eq 'pass' ? $passed++ : $result eq 'fail' ? $failed++ : $missing++;
	push @results, {id => $id, group => $group, case => $case, expected => $expected, also => $also,
		result => $result, observed => $r ? $r->{observed} : undef, test => $r ? $r->{test} : undef};
}
my $total = scalar @CASES;
my $line = "fault matrix: $total cases, $passed passed" . ($failed ? ", $failed failed" : '')
  . ($missing ? ", $missing not run" : '');
diag $line;
diag "not passed: $_->{id} ($_->{result})" for grep { $_->{result} ne 'pass' } @results;
is $passed, $total, $line;
is_deeply [sort keys %got], [], 'every case that ran is in the catalogue';

# ---- the artifact ----------------------------------------------------------------------------------------
my $build = $ENV{AUTH0_TEST_BUILD} // '';
my $top;
if (open my $mk, '<', "$build/Makefile") {
	while (<$mk>) { if (/^abs_top_srcdir\s*=\s*(\S+)/) { $top = $1; last } }
}
SKIP: {
	skip 'the source tree is not known (no Makefile in AUTH0_TEST_BUILD)', 1 unless $top && -d $top;
	my $out = "$top/build/artifacts";
	make_path($out);
	my $doc = {
		matrix     => 'faults',
		summary    => $line,
		cases      => $total,
		passed     => $passed,
		failed     => $failed,
		not_run    => $missing,
		date       => strftime('%Y-%m-%dT%H:%M:%SZ', gmtime),
		build      => basename($build),
		mpm        => $ENV{AUTH0_TEST_MPM} // '',
		sanitizers => ($ENV{AUTH0_TEST_HTTPD} // '') =~ /sanitized/ ? JSON::PP::true : JSON::PP::false,
		results    => \@results,
	};
	my $name = 'faults-' . basename($build) . '-' . ($ENV{AUTH0_TEST_MPM} // 'mpm') . '.json';
	for my $file ("$out/$name", "$out/faults.json") {
		open my $fh, '>', "$file.tmp" or die "cannot write $file: $!";
		print $fh $JSON->encode($doc);
		close $fh;
		rename "$file.tmp", $file or die "cannot rename $file.tmp: $!";
	}
	ok -s "$out/faults.json", "results written to $out/faults.json and $name";
}

done_testing();
