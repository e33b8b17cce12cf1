# Evaluates GNU parallel's {= perl expression =} replacement strings for
# fanout. Requests come on fd 3 and replies go to fd 4, so that what an
# expression prints goes to fanout's standard output and error, as in
# GNU parallel. A message is a run of fields, each its length in decimal,
# a newline and its bytes.
use strict;
use POSIX ();
use File::Basename;
use Fcntl qw(F_SETFD FD_CLOEXEC);
open(my $in, '<&=', 3) or die "fd 3: $!";
open(my $out, '>&=', 4) or die "fd 4: $!";
# A program an expression starts must not hold the pipes open.
fcntl($in, F_SETFD, FD_CLOEXEC);
fcntl($out, F_SETFD, FD_CLOEXEC);
binmode $in; binmode $out; select((select($out), $| = 1)[0]);
# What an expression prints comes out before the job it renders runs.
select((select(STDOUT), $| = 1)[0]);

sub field {
	my $n = readline($in);
	defined $n or exit 0;
	chomp $n;
	my $s = '';
	while (length($s) < $n) {
		my $r = read($in, $s, $n - length($s), length($s));
		defined $r && $r > 0 or exit 0;
	}
	return $s;
}
sub reply { print $out map { length($_) . "\n" . $_ } @_ }
sub one_line { my $m = shift; $m =~ s/\s+$//; $m =~ s/\n/; /g; $m }

# What parallel's own code offers an expression.
sub uniq { return keys %{{ map { $_ => 1 } @_ }} }
sub Q {
	my $a = shift;
	return "''" if $a eq '';
	return $a if $a !~ /[^-_.+a-zA-Z0-9\/]/;
	$a =~ s/'/'"'"'/g;
	$a = "'$a'";
	$a =~ s/^''//;
	$a =~ s/''$//;
	return $a;
}
sub shell_quote_scalar { Q(@_) }
sub perl_quote_scalar { my $a = $_[0]; $a =~ s/[\\\"\$\@]/\\$&/go if defined $a; $a }
sub pQ { perl_quote_scalar(@_) }
sub make_regexp_ungreedy {
	my $regexp = shift;
	my ($class_state, $escape_state, $found, $ungreedy) = (0, 0, 0, "");
	for my $c (split(//, $regexp)) {
		if ($found) { $ungreedy .= "?" if $c ne "?"; $found = 0; }
		$ungreedy .= $c;
		if ($escape_state) { $escape_state = 0; next; }
		if ($c eq "\\") { $escape_state = 1; next; }
		if ($c eq '[') { $class_state = 1; next; }
		if ($class_state) { $class_state = 0 if $c eq ']'; next; }
		$found = 1 if $c =~ /[*}+]/;
	}
	$ungreedy .= '?' if $found;
	return $ungreedy;
}

package CommandLine;
sub seq { $_[0]{seq} }
sub slot { $_[0]{slot} }
sub skip { $_[0]{skip} = 1 }

package Arg;
our (@arg, $job, $unquote);
sub Q { ::Q(@_) }
sub pQ { ::pQ(@_) }
sub uq { $unquote = 1 }
sub skip { $job->skip() }
sub slot { $job->slot() }
sub seq { $job->seq() }
sub total_jobs { $job->{total} }
sub hash { $Global::use{"B"} ||= eval "use B; 1;"; B::hash(@_) }
sub yyyy_mm_dd_hh_mm_ss { POSIX::strftime("%Y-%m-%dT%H:%M:%S", localtime(time())) }
sub yyyy_mm_dd_hh_mm { POSIX::strftime("%Y-%m-%dT%H:%M", localtime(time())) }
sub yyyy_mm_dd { POSIX::strftime("%Y-%m-%d", localtime(time())) }
sub hh_mm_ss { POSIX::strftime("%H:%M:%S", localtime(time())) }
sub hh_mm { POSIX::strftime("%H:%M", localtime(time())) }
sub yyyymmddhhmmss { POSIX::strftime("%Y%m%d%H%M%S", localtime(time())) }
sub yyyymmddhhmm { POSIX::strftime("%Y%m%d%H%M", localtime(time())) }
sub yyyymmdd { POSIX::strftime("%Y%m%d", localtime(time())) }
sub hhmmss { POSIX::strftime("%H%M%S", localtime(time())) }
sub hhmm { POSIX::strftime("%H%M", localtime(time())) }

# Compile every expression once, as parallel does on first use.
my @subs;
my $n = main::field();
for my $i (0 .. $n - 1) {
	my $code = main::field();
	my $sub = eval('sub { no strict; no warnings; my $job = shift; ' . $code . ' }');
	if (!$sub) {
		main::reply("error", $i, main::one_line($@));
		exit 0;
	}
	push @subs, $sub;
}
main::reply("ready");

# A job: seq, slot, total, slots, the values, then (expression, value)
# pairs. The reply: "ok", the skip flag, then an unquote flag and a value
# per pair; or "error", the pair's number and perl's message.
while (1) {
	my $seq = main::field();
	my $slot = main::field();
	my $total = main::field();
	$Global::max_jobs_running = main::field();
	my $nv = main::field();
	my @v = map { main::field() } 1 .. $nv;
	@arg = (undef, @v);
	$job = bless { seq => $seq, slot => $slot, total => $total }, 'CommandLine';
	my $nc = main::field();
	my @res;
	my $failed;
	for my $c (0 .. $nc - 1) {
		my $e = main::field();
		my $a = main::field();
		next if defined $failed;
		local $_ = $v[$a];
		$unquote = 0;
		# Else perl's messages end in "<$in> line N", of no use to anyone.
		$. = 0;
		if (!eval { $subs[$e]->($job); 1 }) {
			$failed = [$c, main::one_line($@)];
			next;
		}
		push @res, ($unquote ? 1 : 0), (defined $_ ? "$_" : "");
	}
	if ($failed) {
		main::reply("error", @$failed);
		next;
	}
	main::reply("ok", $job->{skip} ? 1 : 0, @res);
}
