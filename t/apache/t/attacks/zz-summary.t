# Attack matrix summary: every case the other t/attacks/*.t recorded in this run (t/logs/matrix/attacks/)
# must have passed, and every one of them must have recorded its cases. Prints one line per group and
#
#     attack matrix: N cases, N passed
#
# and writes the results to build/artifacts/attacks.json of the source tree (and
# attacks-<build>-<mpm>.json beside it), which `t/apache/matrix-table attacks --by-group` turns into the
# table of SECURITY.md (`--update SECURITY.md` writes it there).
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../../lib";

use Auth0Test;
use Auth0Test::Matrix;
use File::Basename qw(basename);
use JSON::PP ();
use Test::More;

my $dir = t_dir() . '/logs/matrix/attacks';
my (@groups, %group, @results, %by_test);
for my $file (sort glob "$dir/*.jsonl") {
	open my $fh, '<', $file or next;
	while (<$fh>) {
		my $r = eval { JSON::PP->new->utf8->decode($_) } or next;
		my $g = $r->{group};
		if (($r->{type} // '') eq 'group') {
			push @groups, {group => $g, about => $r->{about}, expected => $r->{expected}, test => $r->{test}}
			  unless $group{$g}++;
			next;
		}
		next unless ($r->{type} // '') eq 'case';
		$by_test{$r->{test}}++;
		push @results, {id => scalar(@results) + 1, group => $g, case => $r->{case} . (defined $r->{target} ? " [$r->{target}]" : ''),
			expected => $r->{expected}, result => $r->{pass} ? 'pass' : 'fail', observed => $r->{observed}, test => $r->{test}};
	}
}
plan skip_all => 'no attack case ran (run the whole t/attacks directory)' unless @results;

# every test file of the matrix recorded cases (one that died early would be missing or short)
my @files = grep { !/zz-summary/ } map { 't/attacks/' . basename($_) } glob "$FindBin::Bin/*.t";
ok $by_test{$_}, "$_ recorded its cases" for @files;

my $total  = @results;
my $passed = grep { $_->{result} eq 'pass' } @results;
my %n;
$n{$_->{group}}{cases}++, $_->{result} eq 'pass' && $n{$_->{group}}{passed}++ for @results;
diag sprintf '%-100s %5d cases, %5d passed', $_->{group}, $n{$_->{group}}{cases} // 0, $n{$_->{group}}{passed} // 0
  for grep { $n{$_->{group}} } @groups;
my $line = "attack matrix: $total cases, $passed passed";
diag $line;
diag "failed: $_->{group}: $_->{case}: $_->{observed}" for grep { $_->{result} ne 'pass' } @results;
is $passed, $total, $line;

# ---- the artifact ----------------------------------------------------------------------------------------
SKIP: {
	my $file = Auth0Test::Matrix::write_artifact('attacks', {
		summary    => $line,
		cases      => $total,
		passed     => $passed,
		failed     => $total - $passed,
		tests      => [sort keys %by_test],
		groups     => [grep { $n{$_->{group}} } @groups],
		results    => \@results,
	});
	skip 'the source tree is not known (no Makefile in AUTH0_TEST_BUILD)', 1 unless $file;
	ok -s $file, "results written to $file";
}

done_testing();
