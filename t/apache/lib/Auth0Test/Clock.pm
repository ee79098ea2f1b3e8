package Auth0Test::Clock;

# A clock that a test moves for an httpd of its own (Auth0Test::httpd_start), with Debian's libfaketime
# (package faketime): every process of that httpd reads the offset from a file at every time call
# (FAKETIME_NO_CACHE), so that they all jump at once when the test rewrites it, with no sleep.
#
#   my $clock = Auth0Test::Clock->new or plan skip_all => Auth0Test::Clock->why;   (undef when unusable)
#   my $h = $clock->run(sub { own_httpd(...) });   httpd started under the clock (the code's result)
#   $clock->at($t + 550);                          its wall clock says epoch $t + 550 now, and runs on
#   $clock->set(500);                              its wall clock at real time + 500 s from now on
#   $clock->offset
#
# Only wall-clock time moves: monotonic clocks stay real (libcurl's timeouts), file times are not faked,
# and the tenant, redis and the test itself keep the real time. A test that needs httpd's clock at a given
# distance from an event (a validation at T) uses at(): an offset from "now" would shift by whatever real
# time passed since the event (graceful restarts, a slow sanitized build).
#
# The multi-threaded variant of the library (libfaketimeMT: its shared state is behind a mutex), since the
# event MPM runs threads and libcurl resolves names in one; it serves prefork as well.
#
# libfaketime's processes share state through a POSIX semaphore and shared memory (/dev/shm) made by the
# first one to load it, which it never removes (0.9.10): made here once, handed to httpd (FAKETIME_SHARED),
# and removed when the test ends, after the httpds started under the clock are stopped (see END). Under a
# sanitized build, httpd-sanitized (t/apache/run) puts the ASan runtime first in LD_PRELOAD, and the
# runtime's start-up then deadlocks in libfaketime's (which calls dlsym, which calls malloc): a copy of
# that wrapper puts libfaketime first, and lets ASan start second.

use strict;
use warnings;

use Auth0Test qw(t_dir httpd_stop);
use File::Temp ();
use Time::HiRes ();

my @made;    # the clocks of this test: their files in /dev/shm are removed at its end
my $why;     # why new() returned undef
my $owner = $$;

# Perl runs END blocks in the reverse order of their compilation: this one, compiled after Auth0Test's
# (used above), runs before it, while the httpds are still running if the test died half-way. Removing
# the names from /dev/shm does not harm the processes that have the objects open already, but any process
# that loads libfaketime afterwards with FAKETIME_SHARED exits (sem_open fails), and the files must go
# only once nothing uses them: so the httpds started under a clock are stopped here first, by PID
# (httpd_stop forgets the PID, so Auth0Test's END does not stop them twice).
END {
	local $?;    # keep the test's exit status
	if ($$ == $owner) {
		for my $clock (@made) {
			httpd_stop($_) for @{$clock->{httpds}};
			unlink @{$clock->{shared_files}};
		}
	}
}

sub library { (grep { -f } glob '/usr/lib/*/faketime/libfaketimeMT.so.1')[0] }

# Why the last new() returned undef (a reason to skip the test with).
sub why { $why }

sub _none { ($why) = @_; return undef }

sub new {
	my ($class) = @_;
	my $lib = library() or return _none("Debian's libfaketime is not installed (package faketime)");
	return _none('/dev/shm is not a writable directory (libfaketime shares its state there)')
	  unless -d '/dev/shm' && -w _;
	# a fresh name (File::Temp fills in the Xs): a directory left by an earlier run whose PID this one reuses
	# is not reused
	my $dir = eval { File::Temp::tempdir('clock-' . $$ . '-XXXXXX', DIR => t_dir() . '/logs') }
	  or return _none("no directory for the clock: " . ($@ =~ s/\s+\z//r));
	chmod 0755, $dir;    # httpd's children run as nobody
	my $self = bless {lib => $lib, dir => $dir, file => "$dir/faketime", offset => 0, httpds => []}, $class;
	$self->set(0);
	my $shared = do {
		local $ENV{LD_PRELOAD} = $lib;
		local $ENV{FAKETIME_TIMESTAMP_FILE} = $self->{file};
		qx{echo "\$FAKETIME_SHARED" 2>/dev/null};
	};
	chomp $shared;
	my ($sem, $shm) = $shared =~ m{^/(faketime_sem_\d+) /(faketime_shm_\d+)$}
	  or return _none("libfaketime made no shared state in /dev/shm (FAKETIME_SHARED='$shared')");
	$self->{shared} = "/$sem /$shm";
	$self->{shared_files} = ["/dev/shm/sem.$sem", "/dev/shm/$shm"];
	push @made, $self;
	return $self;
}

sub offset { $_[0]{offset} }

# Moves the clock so that it says $epoch now (and runs on at the real pace from there): an offset from the
# real time at this call, in whole seconds (libfaketime's fractions depend on the locale).
sub at {
	my ($self, $epoch) = @_;
	$self->set(sprintf '%.0f', $epoch - Time::HiRes::time());
}

# Moves the clock to real time + $s. A rename, so that no process reads a half-written file.
sub set {
	my ($self, $s) = @_;
	my $new = "$self->{file}.new";
	open my $fh, '>', $new or die "cannot write $new: $!";
	print $fh "+$s\n";
	close $fh or die "cannot write $new: $!";
	chmod 0644, $new;
	rename $new, $self->{file} or die "rename $new: $!";
	$self->{offset} = $s;
}

# Runs $code (which starts an httpd with Auth0Test::httpd_start) with httpd under this clock; the httpd
# handles among its results are stopped before the clock's files are removed (END).
sub run {
	my ($self, $code) = @_;
	local $ENV{FAKETIME_TIMESTAMP_FILE} = $self->{file};
	local $ENV{FAKETIME_NO_CACHE} = 1;
	local $ENV{FAKETIME_DONT_FAKE_MONOTONIC} = 1;
	local $ENV{NO_FAKE_STAT} = 1;
	local $ENV{FAKETIME_SHARED} = $self->{shared};
	local $ENV{LD_PRELOAD} = join ':', grep { defined && length } $ENV{LD_PRELOAD}, $self->{lib};
	local $ENV{AUTH0_TEST_HTTPD} = $self->_httpd;
	my @r = wantarray ? $code->() : scalar $code->();
	push @{$self->{httpds}}, grep { ref eq 'HASH' && $_->{pid} } @r;
	return wantarray ? @r : $r[0];
}

# The httpd to start: AUTH0_TEST_HTTPD, or a copy of httpd-sanitized that preloads libfaketime first.
sub _httpd {
	my ($self) = @_;
	my $httpd = $ENV{AUTH0_TEST_HTTPD};
	return $httpd unless $httpd =~ /sanitized/;
	open my $in, '<', $httpd or die "cannot read $httpd: $!";
	my $script = do { local $/; <$in> };
	close $in;
	$script =~ s/^LD_PRELOAD="([^"\$]+)\$\{LD_PRELOAD:\+:\$LD_PRELOAD\}"$/LD_PRELOAD="\${LD_PRELOAD:+\$LD_PRELOAD:}$1"/m
	  or die "$httpd: no LD_PRELOAD line to reorder";
	$script =~ s/^ASAN_OPTIONS="([^"]*)"$/ASAN_OPTIONS="$1:verify_asan_link_order=0"/m
	  or die "$httpd: no ASAN_OPTIONS line";
	my $copy = "$self->{dir}/httpd-sanitized-faketime";
	open my $out, '>', $copy or die "cannot write $copy: $!";
	print $out $script;
	close $out or die "cannot write $copy: $!";
	chmod 0755, $copy;
	return $copy;
}

1;
