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
use Auth0Test::Matrix;
use Auth0Test::Faults;
use JSON::PP ();
use Test::More;

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
SKIP: {
	my $file = Auth0Test::Matrix::write_artifact('faults', {
		summary    => $line,
		cases      => $total,
		passed     => $passed,
		failed     => $failed,
		not_run    => $missing,
		results    => \@results,
	});
	skip 'the source tree is not known (no Makefile in AUTH0_TEST_BUILD)', 1 unless $file;
	ok -s $file, "results written to $file";
}

done_testing();
