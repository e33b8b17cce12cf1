package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/creack/pty"
)

// terminal is a pseudo-terminal that the command's standard error, and
// optionally its standard output, write to; it keeps every byte.
type terminal struct {
	cols int
	mu   sync.Mutex
	raw  []byte
	done chan struct{}
}

// startOnTerminal starts fanout with its standard error on a new
// terminal cols wide; stdout, if not nil, takes its standard output, which
// otherwise goes to the terminal too.
func startOnTerminal(t *testing.T, dir string, cols int, stdout io.Writer, args ...string) (*exec.Cmd, *terminal) {
	t.Helper()
	ptm, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	if err := pty.Setsize(tty, &pty.Winsize{Rows: 24, Cols: uint16(cols)}); err != nil {
		t.Fatal(err)
	}
	cmd := fanoutCmd(dir, args...)
	cmd.Stderr, cmd.Stdout = tty, tty
	if stdout != nil {
		cmd.Stdout = stdout
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close() // the command has it now: its exit ends the reads
	term := readTerminal(ptm, cols)
	t.Cleanup(func() {
		cmd.Process.Kill()
		ptm.Close()
	})
	return cmd, term
}

func (term *terminal) bytes() []byte {
	term.mu.Lock()
	defer term.mu.Unlock()
	return bytes.Clone(term.raw)
}

// waitFor polls, with a bound, until the terminal's bytes hold want.
func (term *terminal) waitFor(t *testing.T, want string) []byte {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		raw := term.bytes()
		if bytes.Contains(raw, []byte(want)) {
			return raw
		}
		if time.Now().After(deadline) {
			t.Fatalf("the terminal never showed %q; it has:\n%q", want, raw)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// finish waits for the command to exit and the terminal to drain.
func (term *terminal) finish(t *testing.T, cmd *exec.Cmd) []byte {
	t.Helper()
	if code := exitStatus(t, cmd); code != 0 {
		t.Errorf("exit status %d, want 0", code)
	}
	select {
	case <-term.done:
	case <-time.After(20 * time.Second):
		t.Fatal("the terminal was never closed")
	}
	return term.bytes()
}

// screen renders raw as a terminal cols wide shows it: text with carriage
// returns, newlines, clearing to the end of the line (ESC [ K), a line up (ESC [ A) and line
// wrapping; colours are dropped. Each line is cut of its trailing blanks.
func screen(raw []byte, cols int) string {
	lines := [][]rune{nil}
	row, col := 0, 0
	pending := false // the cursor sits past the last column
	for len(raw) > 0 {
		if raw[0] == 0x1b && len(raw) > 1 && raw[1] == '[' {
			end := bytes.IndexFunc(raw[2:], func(r rune) bool { return r >= 0x40 && r <= 0x7e })
			if end < 0 {
				break
			}
			if raw[2+end] == 'K' && col < len(lines[row]) {
				lines[row] = lines[row][:col]
			}
			if raw[2+end] == 'A' && row > 0 { // the cursor one line up
				row--
				pending = false
			}
			raw = raw[3+end:]
			continue
		}
		r, size := utf8.DecodeRune(raw)
		raw = raw[size:]
		switch r {
		case '\r':
			col, pending = 0, false
		case '\n':
			row++
			pending = false
			if row == len(lines) {
				lines = append(lines, nil)
			}
		default:
			if pending {
				row, col, pending = row+1, 0, false
				if row == len(lines) {
					lines = append(lines, nil)
				}
			}
			for len(lines[row]) <= col {
				lines[row] = append(lines[row], ' ')
			}
			lines[row][col] = r
			if col++; col == cols {
				col, pending = cols-1, true
			}
		}
	}
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(strings.TrimRight(string(l), " "))
		b.WriteByte('\n')
	}
	return strings.TrimRight(b.String(), "\n") + "\n"
}

// capture saves raw and its screen in $FANOUT_PROGRESS_CAPTURE, if set,
// for a person to look at.
func capture(t *testing.T, name string, raw []byte, cols int) {
	dir := os.Getenv("FANOUT_PROGRESS_CAPTURE")
	if dir == "" {
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".raw"), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".screen"), []byte(screen(raw, cols)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// gated is a job that prints a line on stderr, waits for its gate file,
// then prints a line on stdout.
const gated = `echo err {} >&2; while [ ! -e gate{} ]; do sleep 0.01; done; echo out {}`

func open(t *testing.T, dir string, gates ...string) {
	t.Helper()
	for _, g := range gates {
		if err := os.WriteFile(filepath.Join(dir, "gate"+g), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// assertWhole checks that each line reached the terminal whole: cut by no
// redraw, after a cleared line or another whole line.
func assertWhole(t *testing.T, raw []byte, lines ...string) {
	t.Helper()
	for _, l := range lines {
		i := bytes.Index(raw, []byte(l+"\r\n"))
		if i < 0 {
			t.Errorf("%q never arrived whole in %q", l, raw)
			continue
		}
		before := string(raw[:i])
		if !strings.HasSuffix(before, "\r\x1b[K") && !strings.HasSuffix(before, "\r\n") {
			t.Errorf("%q came after %q, not after a cleared line", l, before[max(0, len(before)-20):])
		}
	}
}

// assertRedrawnAfter checks that the bar is drawn again after line.
func assertRedrawnAfter(t *testing.T, raw []byte, line, bar string) {
	t.Helper()
	i := bytes.Index(raw, []byte(line+"\r\n"))
	if i < 0 || !bytes.Contains(raw[i:], []byte(bar)) {
		t.Errorf("no %q drawn after %q", bar, line)
	}
}

// The bar is drawn on the terminal of standard error and redrawn in place
// as jobs finish; their standard output, a file, never sees it, and each
// line of their standard error comes out whole, the bar drawn again after
// it.
func TestBarOnTerminal(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var out bytes.Buffer
	cmd, term := startOnTerminal(t, dir, 60, &out, "-j2", "--bar", gated, ":::", "1", "2", "3", "4")
	term.waitFor(t, "0% 0:4=0s")
	open(t, dir, "1")
	term.waitFor(t, "25% 1:3=")
	open(t, dir, "2")
	raw := term.waitFor(t, "50% 2:2=")
	// Mid-run: two jobs done, two running.
	capture(t, "bar", raw, 60)
	open(t, dir, "3", "4")
	raw = term.finish(t, cmd)
	capture(t, "bar-end", raw, 60)

	if got := out.String(); !sameLines(got, "out 1\nout 2\nout 3\nout 4\n") {
		t.Errorf("stdout is %q, want the four jobs' lines and nothing else", got)
	}
	assertWhole(t, raw, "err 1", "err 2", "err 3", "err 4")
	assertRedrawnAfter(t, raw, "err 1", "25% 1:3=")
	assertRedrawnAfter(t, raw, "err 2", "50% 2:2=")
	lines := strings.Split(strings.TrimSpace(screen(raw, 60)), "\n")
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, "100% 4:0=0s") {
		t.Errorf("the bar ends as %q, want 100%% 4:0=0s ...\n%s", last, screen(raw, 60))
	}
	if n := strings.Count(screen(raw, 60), "% "); n != 1 {
		t.Errorf("the screen shows %d bars, want one:\n%s", n, screen(raw, 60))
	}
}

// sameLines reports whether a and b hold the same lines, in any order.
func sameLines(a, b string) bool {
	as, bs := strings.Split(a, "\n"), strings.Split(b, "\n")
	if len(as) != len(bs) {
		return false
	}
	seen := map[string]int{}
	for _, l := range as {
		seen[l]++
	}
	for _, l := range bs {
		if seen[l]--; seen[l] < 0 {
			return false
		}
	}
	return true
}

// A line a running job writes on stderr (--line-buffer passes it on at
// once) clears the bar, comes out whole, and the bar is drawn again under
// it; standard output on the same terminal does the same.
func TestBarUnderLinesWhileJobsRun(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cmd, term := startOnTerminal(t, dir, 50, nil, "-j2", "--lb", "--bar", "--total-jobs", "2", gated, ":::", "1", "2")
	term.waitFor(t, "err 1\r\n")
	raw := term.waitFor(t, "err 2\r\n")
	assertWhole(t, raw, "err 1", "err 2")
	open(t, dir, "1")
	raw = term.waitFor(t, "50% 1:1=")
	assertRedrawnAfter(t, raw, "out 1", "50% 1:1=")
	open(t, dir, "2")
	raw = term.finish(t, cmd)
	assertWhole(t, raw, "err 1", "err 2", "out 1", "out 2")
	// The bar names the job started last, which either may be.
	sc := screen(raw, 50)
	bar := strings.LastIndex(sc, "100% 2:0=0s ")
	if bar < 0 || !sameLines(sc[:bar], "err 1\nerr 2\nout 1\nout 2\n") || strings.Count(sc[bar:], "\n") != 1 {
		t.Errorf("the screen is\n%s\nwant the four lines (in any order), then the bar", sc)
	}
}

// --eta draws GNU parallel's list of computers, the header, and the
// estimate with the running and completed jobs.
func TestETAOnTerminal(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var out bytes.Buffer
	cmd, term := startOnTerminal(t, dir, 100, &out, "-j2", "--eta", gated, ":::", "1", "2", "3", "4")
	term.waitFor(t, "local:2/0/100%")
	open(t, dir, "1", "2")
	raw := term.waitFor(t, "Left: 2 AVG: ")
	raw = term.waitFor(t, "local:2/2/100%")
	capture(t, "eta", raw, 100)
	open(t, dir, "3", "4")
	raw = term.finish(t, cmd)
	capture(t, "eta-end", raw, 100)
	sc := screen(raw, 100)
	for _, want := range []string{
		"\nComputers / CPU cores / Max jobs to run\n1:local / ",
		" / 2\n\nComputer:jobs running/jobs completed/%of started jobs/Average seconds to complete\n",
		"\nETA: 0s Left: 0 AVG: ",
	} {
		if !strings.Contains("\n"+sc, want) {
			t.Errorf("the screen has no %q:\n%s", want, sc)
		}
	}
	assertWhole(t, raw, "err 1", "err 2", "err 3", "err 4")
}

// --progress is --eta's line without the estimate.
func TestProgressOnTerminal(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cmd, term := startOnTerminal(t, dir, 100, io.Discard, "-j3", "--progress", "true", ":::", "1", "2", "3")
	raw := term.finish(t, cmd)
	sc := screen(raw, 100)
	lines := strings.Split(strings.TrimSpace(sc), "\n")
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, "local:0/3/100%/") || strings.Contains(sc, "ETA") {
		t.Errorf("the screen is\n%s\nwant it to end with local:0/3/100%%/...", sc)
	}
}

// Under -k the counts still come as jobs finish: the second job's end is
// counted while its output waits for the first's.
func TestBarCountsInCompletionOrder(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var out syncBuffer
	cmd, term := startOnTerminal(t, dir, 60, &out, "-k", "-j2", "--bar", gated, ":::", "1", "2")
	term.waitFor(t, "0% 0:2=")
	open(t, dir, "2")
	term.waitFor(t, "50% 1:1=")
	if got := out.String(); got != "" {
		t.Errorf("stdout has %q before the first job finished, under -k", got)
	}
	open(t, dir, "1")
	term.finish(t, cmd)
	if got := out.String(); got != "out 1\nout 2\n" {
		t.Errorf("stdout is %q, want the jobs in input order", got)
	}
}

// Several progress options at once draw the bar, as in GNU parallel.
func TestBarWinsOverETAAndProgress(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cmd, term := startOnTerminal(t, dir, 40, io.Discard, "--bar", "--eta", "--progress", "true", ":::", "1")
	raw := term.finish(t, cmd)
	if sc := screen(raw, 40); sc != "100% 1:0=0s 1\n" {
		t.Errorf("the screen is %q, want the bar alone", sc)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// The renderer of these tests is itself right about what it renders.
func TestScreen(t *testing.T) {
	for _, c := range []struct{ raw, want string }{
		{"abc\r\nde", "abc\nde\n"},
		{"abc\rx", "xbc\n"},
		{"abcd\r\x1b[Kxy\n", "xy\n"},
		{"12345", "12345\n"},
		{"123456", "12345\n6\n"},
		{"12345\r\x1b[Kab", "ab\n"},
		{"\x1b[7m12\x1b[0m3", "123\n"},
	} {
		if got := screen([]byte(c.raw), 5); got != c.want {
			t.Errorf("screen(%q) = %q, want %q", c.raw, got, c.want)
		}
	}
}

// readTerminal collects what the pty master ptm shows, cols wide, until
// its reads fail (EIO once the last writer has gone); done is closed then.
func readTerminal(ptm *os.File, cols int) *terminal {
	term := &terminal{cols: cols, done: make(chan struct{})}
	go func() {
		defer close(term.done)
		buf := make([]byte, 4096)
		for {
			n, err := ptm.Read(buf)
			term.mu.Lock()
			term.raw = append(term.raw, buf[:n]...)
			term.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	return term
}
