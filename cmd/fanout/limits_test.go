package main

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// seqArgs returns "::: 1 2 ... n".
func seqArgs(n int) []string {
	args := []string{":::"}
	for i := 1; i <= n; i++ {
		args = append(args, strconv.Itoa(i))
	}
	return args
}

// checkEveryJobPrinted fails unless out holds the lines 1..n, in any order.
func checkEveryJobPrinted(t *testing.T, out string, n int) {
	t.Helper()
	var got []int
	for _, l := range strings.Fields(out) {
		v, err := strconv.Atoi(l)
		if err != nil {
			t.Fatalf("unexpected output line %q", l)
		}
		got = append(got, v)
	}
	slices.Sort(got)
	for i, v := range got {
		if v != i+1 {
			break
		}
		if i == n-1 && len(got) == n {
			return
		}
	}
	t.Fatalf("printed %d lines, want 1..%d once each:\n%s", len(got), n, out)
}

// -j far beyond what a machine can run costs nothing up front: the slots
// that exist are those the jobs use.
func TestHugeJobsValueRunsInBoundedMemory(t *testing.T) {
	bin := plainBinary(t)
	const ceiling = 64.0 // MiB
	for _, j := range []string{"9223372036854775807", "4000000000", "+9223372036854775807"} {
		for _, keep := range []bool{false, true} {
			args := []string{"-j", j}
			if keep {
				args = append(args, "-k")
			}
			args = append(args, "echo")
			args = append(args, seqArgs(3)...)
			rss := peakRSS(t, bin, t.TempDir(), args...)
			if rss > ceiling {
				t.Fatalf("fanout %q: peak RSS %.1f MiB, over the %.0f MiB ceiling", args, rss, ceiling)
			}
		}
	}
}

// Under an open file limit too low for -j, fanout runs fewer jobs at once,
// says so in GNU parallel's words (recorded from GNU parallel 20221122
// under ulimit -n 40, its figure aside), and runs every job, as GNU
// parallel does. Run through a link named parallel, it speaks as
// parallel; at ulimit -n 20, where GNU parallel itself cannot start a job,
// fanout still runs one at a time.
func TestLowOpenFileLimitRunsEveryJob(t *testing.T) {
	t.Parallel()
	parallel := linkedAs(t, "parallel")
	for _, limit := range []string{"40", "20"} {
		args := append([]string{"-c", `ulimit -n ` + limit + ` && exec "$0" "$@"`, parallel, "-j100", "echo"}, seqArgs(60)...)
		cmd := exec.Command("sh", args...)
		cmd.Dir = t.TempDir()
		cmd.Env = childEnv("FANOUT_TEST_AS_CLI=1", "PARALLEL_SHELL=/bin/sh")
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("ulimit -n %s: %v; stderr:\n%s", limit, err, stderr.String())
		}
		checkEveryJobPrinted(t, stdout.String(), 60)
		n := regexp.MustCompile(`^parallel: Warning: Only enough file handles to run (\d+) jobs in parallel.\n`).FindStringSubmatch(stderr.String())
		if n == nil {
			t.Fatalf("ulimit -n %s: stderr is not GNU parallel's warning:\n%s", limit, stderr.String())
		}
		want := "parallel: Warning: Only enough file handles to run " + n[1] + " jobs in parallel.\n" +
			"parallel: Warning: Try running 'parallel -j0 -N " + n[1] + " --pipe parallel -j0'\n" +
			"parallel: Warning: or increasing 'ulimit -n' (try: ulimit -n `ulimit -Hn`)\n" +
			"parallel: Warning: or increasing 'nofile' in /etc/security/limits.conf\n" +
			"parallel: Warning: or increasing /proc/sys/fs/file-max\n"
		if stderr.String() != want {
			t.Fatalf("ulimit -n %s: stderr\n%s\nwant\n%s", limit, stderr.String(), want)
		}
	}
}

// linkedAs returns a symbolic link named name to this test binary, which
// runs as the command with FANOUT_TEST_AS_CLI=1.
func linkedAs(t *testing.T, name string) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), name)
	if err := os.Symlink(self, link); err != nil {
		t.Fatal(err)
	}
	return link
}

// Messages begin with the name the command was invoked by: through a link
// named parallel they read as GNU parallel's, the usage hint included;
// under its own name it is fanout.
func TestMessagesNameTheInvokedCommand(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"parallel", "fanout", "my-runner"} {
		cmd := exec.Command(linkedAs(t, name), "--halt", "sometimes", "echo", ":::", "a")
		cmd.Env = childEnv("FANOUT_TEST_AS_CLI=1")
		var stderr strings.Builder
		cmd.Stderr = &stderr
		err := cmd.Run()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 255 {
			t.Fatalf("%s: %v, want exit status 255", name, err)
		}
		want := name + ": --halt \"sometimes\": use never, now|soon,fail|success|done=N or =N%\n" +
			name + ": try '" + name + " --help'\n"
		if stderr.String() != want {
			t.Errorf("%s: stderr\n%s\nwant\n%s", name, stderr.String(), want)
		}
	}
}

// unprivileged returns a command that runs bin, as a user without
// privileges, with its process limit lowered to nproc: root's is not
// enforced. It skips the test where that cannot be done.
func unprivileged(t *testing.T, bin string, nproc int, args ...string) *exec.Cmd {
	t.Helper()
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		t.Skip("no setpriv to run fanout as an unprivileged user")
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash for ulimit -u")
	}
	if os.Getuid() != 0 {
		// Other processes of this user count against the limit, and how
		// many there are changes as other tests run.
		t.Skip("needs root, to run fanout as a user of its own")
	}
	dir := t.TempDir()
	// t.TempDir makes two private levels of directories.
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o777); err != nil {
			t.Fatal(err)
		}
	}
	copied := filepath.Join(dir, "fanout")
	if err := copyFile(bin, copied); err != nil {
		t.Fatal(err)
	}
	line := `ulimit -u ` + strconv.Itoa(nproc) + ` && exec "$0" "$@"`
	cmd := exec.Command(setpriv, append([]string{"--reuid=65534", "--regid=65534", "--clear-groups", bash, "-c", line, copied}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PARALLEL_SHELL=/bin/sh", "TMPDIR="+dir)
	if out, err := exec.Command(setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", copied, "--version").CombinedOutput(); err != nil {
		t.Skipf("cannot run fanout as an unprivileged user: %v %s", err, out)
	}
	return cmd
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// Under a process limit too low for -j, fanout neither crashes (the Go
// runtime dies when it cannot make a thread) nor stops: every job runs.
func TestLowProcessLimitRunsEveryJob(t *testing.T) {
	bin := plainBinary(t)
	const runs, n = 20, 60
	for i := range runs {
		cmd := unprivileged(t, bin, 16, append([]string{"-j30", "echo"}, seqArgs(n)...)...)
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		if err != nil || strings.Contains(stderr.String(), "fatal error") {
			t.Fatalf("run %d: %v; stderr:\n%s", i+1, err, stderr.String())
		}
		checkEveryJobPrinted(t, stdout.String(), n)
	}
}
