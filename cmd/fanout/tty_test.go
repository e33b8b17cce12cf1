package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/creack/pty"
)

// startWithTerminal starts fanout in a session of its own whose
// controlling terminal is a new pseudo-terminal, as a shell in a terminal
// window starts it; its standard input is /dev/null, so what a job reads
// from the terminal can only come through /dev/tty. Its standard output
// and error go to the terminal unless stdout is given; the caller types
// into the returned master with typeIn.
func startWithTerminal(t *testing.T, dir string, stdout *os.File, args ...string) (*exec.Cmd, *terminal, *os.File) {
	t.Helper()
	ptm, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	cmd := fanoutCmd(dir, args...)
	cmd.Stdout, cmd.Stderr = tty, tty
	if stdout != nil {
		cmd.Stdout = stdout
	}
	cmd.ExtraFiles = []*os.File{tty} // descriptor 3, the terminal to control
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 3}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close()
	term := readTerminal(ptm, 80)
	t.Cleanup(func() {
		cmd.Process.Kill()
		ptm.Close()
	})
	return cmd, term, ptm
}

// typeIn writes what a user types at the terminal.
func typeIn(t *testing.T, ptm *os.File, s string) {
	t.Helper()
	if _, err := ptm.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

// --tty: each job reads the terminal, one at a time, and writes to it
// itself (GNU parallel's -j1 -u), as GNU parallel printed it: the typed
// lines echoed, then "got a x1" and "got b y1".
func TestTTYJobsReadTheTerminal(t *testing.T) {
	t.Parallel()
	cmd, term, ptm := startWithTerminal(t, t.TempDir(), nil,
		"--tty", "read x; echo got {} $x; test -t 1 && echo {} wrote to the terminal", ":::", "a", "b")
	typeIn(t, ptm, "x1\ny1\n")
	raw := string(term.finish(t, cmd))
	for _, want := range []string{"got a x1\r\n", "a wrote to the terminal", "got b y1\r\n", "b wrote to the terminal"} {
		if !strings.Contains(raw, want) {
			t.Errorf("the terminal shows %q, without %q", raw, want)
		}
	}
}

// -o: the jobs read the terminal, but their output is grouped as usual:
// captured, not the terminal.
func TestOpenTTYGroupsOutput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out, err := os.Create(filepath.Join(dir, "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	cmd, term, _ := startWithTerminal(t, dir, out, "-o", "-k",
		"test -t 0 && echo {} reads the terminal; test -t 1 || echo {} output captured", ":::", "a", "b")
	term.finish(t, cmd)
	got, _ := os.ReadFile(filepath.Join(dir, "out"))
	want := "a reads the terminal\na output captured\nb reads the terminal\nb output captured\n"
	if string(got) != want {
		t.Fatalf("stdout %q, want %q", got, want)
	}
}

// -p asks on the terminal before each job, as GNU parallel does
// ("echo a ?..."), and runs it only for an answer starting with y or Y; a
// job answered no is logged with exit value -2 and counts as failed, so
// the run exits 1.
func TestInteractiveAsks(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cmd, term, ptm := startWithTerminal(t, dir, nil, "-p", "-j1", "--joblog", "jl", "-k", "echo", ":::", "a", "b", "c")
	for _, qa := range [][2]string{{"echo a ?...", "y\n"}, {"echo b ?...", "no\n"}, {"echo c ?...", " Y\n"}} {
		term.waitFor(t, qa[0])
		typeIn(t, ptm, qa[1])
	}
	if code := exitStatus(t, cmd); code != 1 {
		t.Errorf("exit status %d, want 1 (one job not run)", code)
	}
	<-term.done
	raw := string(term.bytes())
	if !strings.Contains(raw, "\r\na\r\n") || !strings.Contains(raw, "\r\nc\r\n") || strings.Contains(raw, "\r\nb\r\n") {
		t.Errorf("the terminal shows %q: want a and c run, not b", raw)
	}
	log, _ := os.ReadFile(filepath.Join(dir, "jl"))
	var exits []string
	for _, l := range strings.Split(strings.TrimSpace(string(log)), "\n")[1:] {
		f := strings.Split(l, "\t")
		exits = append(exits, f[0]+":"+f[6])
	}
	if got := strings.Join(exits, " "); got != "1:0 2:-2 3:0" {
		t.Errorf("job log seq:exitval %q, want 1:0 2:-2 3:0", got)
	}
}

// Without a terminal, -p cannot ask: it says so, with status 255.
func TestInteractiveWithoutTerminal(t *testing.T) {
	t.Parallel()
	cmd := fanoutCmd(t.TempDir(), "-p", "echo", ":::", "a")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} // no controlling terminal
	out, _ := cmd.CombinedOutput()
	if cmd.ProcessState.ExitCode() != 255 || !strings.Contains(string(out), "-p asks before each job on the terminal") {
		t.Fatalf("status %d, output %q", cmd.ProcessState.ExitCode(), out)
	}
}

// --latest-line on a terminal: each job has a row, redrawn in place with
// its tag and the latest line it printed, standard error's too; when the
// jobs are over the rows show their last lines. Job 1 prints its second
// line only once job 2 has printed its first, so both rows were drawn
// before either changed.
func TestLatestLineRows(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	job := `if [ {} = 1 ]; then echo one-a; i=0; while [ ! -e 2.a ] && [ $i -lt 500 ]; do sleep 0.01; i=$((i+1)); done; echo one-b >&2; ` +
		`else echo two-a; touch 2.a; echo "two-b	long $(printf %0100d 0)"; fi`
	// With -k the rows are the input's order, not the order the jobs start.
	cmd, term := startOnTerminal(t, dir, 40, nil, "--ll", "-k", "-j2", "--tag", job, ":::", "1", "2")
	raw := term.finish(t, cmd)
	got := strings.TrimRight(screen(raw, 40), "\n")
	// The tag's tab, and the line's, are spaces to the next 8 columns; the
	// line is cut to the 40 columns, ">" marking the cut.
	want := "1       one-b\n2       two-b   long " + strings.Repeat("0", 18) + ">"
	if got != want {
		t.Fatalf("the screen shows\n%s\nwant\n%s\n(raw %q)", got, want, raw)
	}
}
