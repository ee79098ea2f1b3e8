package Auth0Test::Clock;

# A clock that a test moves for an httpd of its own (Auth0Test::httpd_start), with Debian's libfaketime
# (package faketime): every process of that httpd reads the offset from a file at every time call
# (FAKETIME_NO_CACHE), so that they all jump at once when the test rewrites it, with no sleep.
#
#   my $clock = Auth0Test::Clock->new or plan skip_all => ...;   (undef without libfaketime)
#   my $h = $clock->run(sub { own_httpd(...) });   httpd started under the clock (the code's result)
#   $clock->set(500);                              its wall clock at real time + 500 s from now on
#   $clock->offset
#
# Only wall-clock time moves: monotonic clocks stay real (libcurl's timeouts), file times are not faked,
# and the tenant, redis and the test itself keep the real time.
#
# libfaketime's processes share state through a POSIX semaphore and shared memory (/dev/shm) made by the
# first one to load it, which it never removes (0.9.10): made here once, handed to httpd (FAKETIME_SHARED),
# and removed when the test ends. Under a sanitized build, httpd-sanitized (t/apache/run) puts the ASan
# runtime first in LD_PRELOAD, and the runtime's start-up then deadlocks in libfaketime's (which calls
# dlsym, which calls malloc): a copy of that wrapper puts libfaketime first, and lets ASan start second.

use strict;
use warnings;

use Auth0Test qw(t_dir);

my @made;    # the clocks of this test: their files in /dev/shm are removed at its end
my $owner = $$;
END {
	if ($$ == $owner) {
		unlink @{$_->{shared_files}} for @made;
	}
}

sub library { (grep { -f } glob '/usr/lib/*/faketime/libfaketime.so.1')[0] }

sub new {
	my ($class) = @_;
	my $lib = library() or return undef;
	my $dir = t_dir() . "/logs/clock-$$-" . (@made + 1);
	mkdir $dir or die "mkdir $dir: $!";
	chmod 0755, $dir;    # httpd's children run as nobody
	my $self = bless {lib => $lib, dir => $dir, file => "$dir/faketime", offset => 0}, $class;
	$self->set(0);
	my $shared = do {
		local $ENV{LD_PRELOAD} = $lib;
		local $ENV{FAKETIME_TIMESTAMP_FILE} = $self->{file};
		qx{echo "\$FAKETIME_SHARED"};
	};
	my ($sem, $shm) = $shared =~ m{^/(faketime_sem_\d+) /(faketime_shm_\d+)$}
	  or die "libfaketime made no shared state (FAKETIME_SHARED='$shared')";
	$self->{shared} = "/$sem /$shm";
	$self->{shared_files} = ["/dev/shm/sem.$sem", "/dev/shm/$shm"];
	push @made, $self;
	return $self;
}

sub offset { $_[0]{offset} }

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

# Runs $code (which starts an httpd with Auth0Test::httpd_start) with httpd under this clock.
sub run {
	my ($self, $code) = @_;
	local $ENV{FAKETIME_TIMESTAMP_FILE} = $self->{file};
	local $ENV{FAKETIME_NO_CACHE} = 1;
	local $ENV{FAKETIME_DONT_FAKE_MONOTONIC} = 1;
	local $ENV{NO_FAKE_STAT} = 1;
	local $ENV{FAKETIME_SHARED} = $self->{shared};
	local $ENV{LD_PRELOAD} = join ':', grep { defined && length } $ENV{LD_PRELOAD}, $self->{lib};
	local $ENV{AUTH0_TEST_HTTPD} = $self->_httpd;
	return $code->();
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
