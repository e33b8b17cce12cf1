package fanout_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/fanoutdev/fanout"
)

// record is a copy of what a test needs from a Result, which is only valid
// during Receive.
type record struct {
	seq      int64
	slot     int
	exit     int
	sig      syscall.Signal
	timedOut bool
	canceled bool
	start    time.Time
	runtime  time.Duration
	stdout   string
	stderr   string
	spilled  bool
	err      error
}

type collector struct {
	mu   sync.Mutex
	recs []record
}

func (c *collector) Receive(r *fanout.Result) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.recs = append(c.recs, record{
		seq: r.Seq, slot: r.Slot, exit: r.ExitCode, sig: r.Signal,
		timedOut: r.TimedOut, canceled: r.Canceled, start: r.Start, runtime: r.Runtime,
		stdout: r.Stdout.String(), stderr: r.Stderr.String(), spilled: r.Stdout.Spilled(), err: r.Err,
	})
	return nil
}

func runAll(t *testing.T, p *fanout.Pool, jobs ...*fanout.Job) []record {
	t.Helper()
	c := &collector{}
	p.Sink = c
	for _, j := range jobs {
		if _, err := p.Go(context.Background(), j); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Wait(); err != nil {
		t.Fatal(err)
	}
	return c.recs
}

func TestResultFields(t *testing.T) {
	tests := []struct {
		name   string
		job    *fanout.Job
		exit   int
		sig    syscall.Signal
		stdout string
		stderr string
		err    bool
	}{
		{"argv", fanout.Command("echo", "a b", "c"), 0, 0, "a b c\n", "", false},
		{"shell", fanout.ShellCommand("echo out; echo err >&2; exit 3"), 3, 0, "out\n", "err\n", false},
		{"signal", fanout.ShellCommand("kill -USR1 $$"), -1, syscall.SIGUSR1, "", "", false},
		{"not found", fanout.Command("fanout-no-such-program"), -1, 0, "", "", true},
		{"not executable", &fanout.Job{Args: []string{"x"}, Path: "/dev/null"}, -1, 0, "", "", true},
		{"stdin", &fanout.Job{Args: []string{"cat"}, Stdin: strings.NewReader("from stdin")}, 0, 0, "from stdin", "", false},
		{"dir", &fanout.Job{Args: []string{"pwd"}, Dir: "/"}, 0, 0, "/\n", "", false},
		{"env", &fanout.Job{Shell: "echo $FANOUT_T", Env: []string{"FANOUT_T=v"}}, 0, 0, "v\n", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs := runAll(t, &fanout.Pool{Limit: 1}, tt.job)
			if len(recs) != 1 {
				t.Fatalf("got %d results", len(recs))
			}
			r := recs[0]
			if r.exit != tt.exit || r.sig != tt.sig || r.stdout != tt.stdout || r.stderr != tt.stderr || (r.err != nil) != tt.err {
				t.Fatalf("got exit=%d sig=%v stdout=%q stderr=%q err=%v; want exit=%d sig=%v stdout=%q stderr=%q err=%v",
					r.exit, r.sig, r.stdout, r.stderr, r.err, tt.exit, tt.sig, tt.stdout, tt.stderr, tt.err)
			}
			if r.seq != 1 || r.slot != 1 {
				t.Fatalf("seq=%d slot=%d, want 1 and 1", r.seq, r.slot)
			}
		})
	}
}

func TestNotFoundIsErrNotFound(t *testing.T) {
	recs := runAll(t, &fanout.Pool{}, fanout.Command("fanout-no-such-program"))
	if !errors.Is(recs[0].err, exec.ErrNotFound) || !strings.Contains(recs[0].err.Error(), "fanout-no-such-program") {
		t.Fatalf("err = %v, want exec.ErrNotFound naming the program", recs[0].err)
	}
}

// TestLimit checks from the jobs' own view that at most Limit run at once:
// each job holds a lock file while it runs and counts the others'.
func TestLimit(t *testing.T) {
	dir := t.TempDir()
	const limit, n = 3, 12
	var jobs []*fanout.Job
	for i := range n {
		// Each job announces itself, waits until it sees a full house or a
		// while passes, records how many it saw, and leaves.
		jobs = append(jobs, fanout.ShellCommand(fmt.Sprintf(
			`touch %[1]s/run.%[2]d; for i in $(seq 100); do c=$(ls %[1]s | grep -c '^run'); [ "$c" -ge %[3]d ] && break; sleep 0.01; done; ls %[1]s | grep -c '^run'; rm %[1]s/run.%[2]d`,
			dir, i, limit)))
	}
	recs := runAll(t, &fanout.Pool{Limit: limit}, jobs...)
	if len(recs) != n {
		t.Fatalf("got %d results, want %d", len(recs), n)
	}
	peak := 0
	slots := map[int]bool{}
	for _, r := range recs {
		c, err := strconv.Atoi(strings.TrimSpace(r.stdout))
		if err != nil {
			t.Fatalf("job output %q", r.stdout)
		}
		peak = max(peak, c)
		slots[r.slot] = true
	}
	if peak != limit {
		t.Fatalf("peak concurrency seen by jobs = %d, want %d", peak, limit)
	}
	if len(slots) != limit {
		t.Fatalf("slots used = %v, want %d distinct", slots, limit)
	}
}

func TestOrdered(t *testing.T) {
	var jobs []*fanout.Job
	for _, d := range []string{"0.3", "0.1", "0.2", "0", "0.1"} {
		jobs = append(jobs, fanout.ShellCommand("sleep "+d+"; echo "+d))
	}
	recs := runAll(t, &fanout.Pool{Limit: 5, Ordered: true}, jobs...)
	var got []string
	for i, r := range recs {
		if r.seq != int64(i+1) {
			t.Fatalf("result %d has seq %d", i, r.seq)
		}
		got = append(got, strings.TrimSpace(r.stdout))
	}
	if strings.Join(got, " ") != "0.3 0.1 0.2 0 0.1" {
		t.Fatalf("order = %v", got)
	}
}

func TestUnorderedDeliversAsJobsFinish(t *testing.T) {
	dir := t.TempDir()
	// The first job waits for the second to finish, so completion order
	// is 2, 1 whatever the scheduler does.
	jobs := []*fanout.Job{
		fanout.ShellCommand(fmt.Sprintf("while [ ! -e %s/done ]; do sleep 0.01; done; echo first", dir)),
		fanout.ShellCommand(fmt.Sprintf("echo second; touch %s/done", dir)),
	}
	recs := runAll(t, &fanout.Pool{Limit: 2}, jobs...)
	if recs[0].seq != 2 || recs[1].seq != 1 {
		t.Fatalf("delivery order = %d, %d; want 2, 1", recs[0].seq, recs[1].seq)
	}
}

func TestSpillToDisk(t *testing.T) {
	dir := t.TempDir()
	const size = 5 << 20
	recs := runAll(t, &fanout.Pool{CaptureLimit: 64 << 10, TempDir: dir},
		fanout.ShellCommand(fmt.Sprintf("head -c %d /dev/zero | tr '\\0' x", size)))
	r := recs[0]
	if !r.spilled || len(r.stdout) != size || strings.Trim(r.stdout, "x") != "" {
		t.Fatalf("spilled=%v len=%d", r.spilled, len(r.stdout))
	}
	left, _ := os.ReadDir(dir)
	if len(left) != 0 {
		t.Fatalf("temporary files left behind: %v", left)
	}
}

func TestBinaryOutputByteForByte(t *testing.T) {
	var all bytes.Buffer
	for i := range 256 {
		all.WriteByte(byte(i))
	}
	f := filepath.Join(t.TempDir(), "bin")
	os.WriteFile(f, bytes.Repeat(all.Bytes(), 1000), 0o644)
	recs := runAll(t, &fanout.Pool{CaptureLimit: 4096}, fanout.Command("cat", f))
	want, _ := os.ReadFile(f)
	if recs[0].stdout != string(want) {
		t.Fatal("binary output changed in transit")
	}
}

// groupAlive reports whether any process remains in the group pgid. A
// killed member lingers as a zombie until init reaps it, so this waits a
// bounded time for the group to empty before saying it did not.
func groupAlive(pgid int) bool {
	deadline := time.Now().Add(5 * time.Second)
	for syscall.Kill(-pgid, 0) == nil {
		if time.Now().After(deadline) {
			return true
		}
		time.Sleep(5 * time.Millisecond)
	}
	return false
}

func readPid(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

func TestTimeoutKillsWholeGroup(t *testing.T) {
	dir := t.TempDir()
	pidf := filepath.Join(dir, "pid")
	// A tree: the job's shell, a sub-shell with its own children, and more.
	job := fanout.ShellCommand(fmt.Sprintf("echo $$ > %s; sh -c 'sleep 30 & sleep 30; wait' & sleep 30 & wait", pidf))
	job.Timeout = 200 * time.Millisecond
	recs := runAll(t, &fanout.Pool{}, job)
	r := recs[0]
	if !r.timedOut || r.sig != syscall.SIGTERM || r.exit != -1 {
		t.Fatalf("timedOut=%v sig=%v exit=%d", r.timedOut, r.sig, r.exit)
	}
	if pg := readPid(t, pidf); groupAlive(pg) {
		t.Fatalf("process group %d still has members", pg)
	}
}

func TestTermSeqEscalatesToKill(t *testing.T) {
	job := fanout.ShellCommand("trap '' TERM; sleep 30 & wait; sleep 30")
	job.Timeout = 100 * time.Millisecond
	p := &fanout.Pool{Executor: &fanout.Local{TermSeq: []fanout.TermStep{
		{Signal: syscall.SIGTERM, Wait: 50 * time.Millisecond},
		{Signal: syscall.SIGKILL, Wait: 50 * time.Millisecond},
	}}}
	r := runAll(t, p, job)[0]
	if !r.timedOut || r.sig != syscall.SIGKILL {
		t.Fatalf("timedOut=%v sig=%v, want killed by SIGKILL", r.timedOut, r.sig)
	}
}

func TestCancelTerminatesRunningJobs(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	c := &collector{}
	p := &fanout.Pool{Limit: 2, Sink: c}
	for i := range 2 {
		// Each job signals readiness by creating its pid file.
		if _, err := p.Go(ctx, fanout.ShellCommand(fmt.Sprintf("sleep 30 & echo $$ > %s/pid%d.tmp; mv %s/pid%d.tmp %s/pid%d; wait", dir, i, dir, i, dir, i))); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, filepath.Join(dir, "pid0"), filepath.Join(dir, "pid1"))
	cancel()
	if err := p.Wait(); err != nil {
		t.Fatal(err)
	}
	if len(c.recs) != 2 {
		t.Fatalf("got %d results", len(c.recs))
	}
	for i, r := range c.recs {
		if !r.canceled || r.sig != syscall.SIGTERM {
			t.Fatalf("job %d: canceled=%v sig=%v", i, r.canceled, r.sig)
		}
	}
	for i := range 2 {
		if pg := readPid(t, filepath.Join(dir, fmt.Sprintf("pid%d", i))); groupAlive(pg) {
			t.Fatalf("group %d survived cancellation", pg)
		}
	}
	// A pool whose context is done starts nothing more: Go refuses the
	// job, or hands it over and the worker delivers it unstarted.
	after := &collector{}
	p = &fanout.Pool{Sink: after}
	marker := filepath.Join(dir, "ran")
	_, goErr := p.Go(ctx, fanout.Command("touch", marker))
	p.Wait()
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("a job ran after its context was cancelled")
	}
	switch {
	case goErr != nil && !errors.Is(goErr, context.Canceled):
		t.Fatalf("Go: %v, want context.Canceled", goErr)
	case goErr == nil && (len(after.recs) != 1 || !errors.Is(after.recs[0].err, context.Canceled)):
		t.Fatalf("handed over after cancel: results %+v, want one with context.Canceled", after.recs)
	}
}

// waitFor polls for files that real processes create; it is how a test
// learns that a job reached a point, without sleeping a fixed time.
func waitFor(t *testing.T, paths ...string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for _, p := range paths {
		for {
			if _, err := os.Stat(p); err == nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s never appeared", p)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}

func TestGrandchildHoldingStdoutDoesNotHang(t *testing.T) {
	dir := t.TempDir()
	pidf := filepath.Join(dir, "pid")
	start := time.Now()
	// The background sleep inherits stdout; the job's shell exits at once.
	recs := runAll(t, &fanout.Pool{}, fanout.ShellCommand(fmt.Sprintf("echo $$ > %s; sleep 30 & echo done", pidf)))
	if recs[0].stdout != "done\n" || recs[0].exit != 0 {
		t.Fatalf("stdout=%q exit=%d", recs[0].stdout, recs[0].exit)
	}
	if time.Since(start) > 10*time.Second {
		t.Fatal("pool waited for the grandchild")
	}
	if pg := readPid(t, pidf); groupAlive(pg) {
		t.Fatalf("orphan left in group %d", pg)
	}
}

func TestEscapedGrandchildBoundedByWaitDelay(t *testing.T) {
	if _, err := exec.LookPath("setsid"); err != nil {
		t.Skip("setsid not installed")
	}
	p := &fanout.Pool{Executor: &fanout.Local{WaitDelay: 100 * time.Millisecond}}
	start := time.Now()
	recs := runAll(t, p, fanout.ShellCommand("setsid sleep 5 & echo out"))
	if recs[0].stdout != "out\n" {
		t.Fatalf("stdout=%q", recs[0].stdout)
	}
	if el := time.Since(start); el > 4*time.Second {
		t.Fatalf("took %v: the escaped grandchild held the pool", el)
	}
}

func TestTryGo(t *testing.T) {
	dir := t.TempDir()
	p := &fanout.Pool{Limit: 1}
	ctx := context.Background()
	gate := filepath.Join(dir, "gate")
	if _, err := p.Go(ctx, fanout.ShellCommand(fmt.Sprintf("while [ ! -e %s ]; do sleep 0.01; done", gate))); err != nil {
		t.Fatal(err)
	}
	if _, ok := p.TryGo(ctx, fanout.Command("true")); ok {
		t.Fatal("TryGo succeeded while the only slot was busy")
	}
	os.WriteFile(gate, nil, 0o644)
	if err := p.Wait(); err != nil {
		t.Fatal(err)
	}
	if _, ok := (&fanout.Pool{Limit: 1}).TryGo(ctx, fanout.Command("true")); !ok {
		t.Fatal("TryGo failed on an idle pool")
	}
}

func TestSinkErrorStopsPool(t *testing.T) {
	boom := errors.New("sink broke")
	p := &fanout.Pool{Limit: 1, Sink: fanout.SinkFunc(func(*fanout.Result) error { return boom })}
	ctx := context.Background()
	var err error
	for range 100 {
		if _, err = p.Go(ctx, fanout.Command("true")); err != nil {
			break
		}
	}
	if !errors.Is(err, boom) {
		t.Fatalf("Go err = %v, want the sink's error", err)
	}
	if err := p.Wait(); !errors.Is(err, boom) {
		t.Fatalf("Wait err = %v", err)
	}
}

func TestGoAfterWait(t *testing.T) {
	p := &fanout.Pool{}
	p.Wait()
	if _, err := p.Go(context.Background(), fanout.Command("true")); !errors.Is(err, fanout.ErrStopped) {
		t.Fatalf("err = %v, want ErrStopped", err)
	}
}

func TestManyJobsSeqComplete(t *testing.T) {
	const n = 500
	jobs := make([]*fanout.Job, n)
	for i := range jobs {
		jobs[i] = fanout.Command("echo", strconv.Itoa(i))
	}
	recs := runAll(t, &fanout.Pool{Limit: 8}, jobs...)
	var seqs []int
	for _, r := range recs {
		if r.stdout != strconv.Itoa(int(r.seq-1))+"\n" {
			t.Fatalf("seq %d printed %q", r.seq, r.stdout)
		}
		seqs = append(seqs, int(r.seq))
	}
	sort.Ints(seqs)
	for i, s := range seqs {
		if s != i+1 {
			t.Fatalf("seq %d missing", i+1)
		}
	}
}

func TestPrepareSeesSeqAndSlot(t *testing.T) {
	prep := func(j *fanout.Job, seq int64, slot int) error {
		if seq == 3 {
			return errors.New("refused")
		}
		j.Args = []string{"echo", fmt.Sprintf("%d-%d", seq, slot)}
		return nil
	}
	var jobs []*fanout.Job
	for range 3 {
		jobs = append(jobs, &fanout.Job{Prepare: prep})
	}
	recs := runAll(t, &fanout.Pool{Limit: 1, Ordered: true}, jobs...)
	if recs[0].stdout != "1-1\n" || recs[1].stdout != "2-1\n" {
		t.Fatalf("outputs %q %q", recs[0].stdout, recs[1].stdout)
	}
	if recs[2].err == nil || recs[2].err.Error() != "refused" {
		t.Fatalf("job 3 err = %v, want the Prepare error", recs[2].err)
	}
}

func TestStopLetsRunningJobsFinish(t *testing.T) {
	dir := t.TempDir()
	gate := filepath.Join(dir, "gate")
	c := &collector{}
	p := &fanout.Pool{Limit: 1, Sink: c}
	ctx := context.Background()
	if _, err := p.Go(ctx, fanout.ShellCommand(fmt.Sprintf("while [ ! -e %s ]; do sleep 0.01; done; echo finished", gate))); err != nil {
		t.Fatal(err)
	}
	blocked := make(chan error)
	go func() {
		_, err := p.Go(ctx, fanout.Command("echo", "never"))
		blocked <- err
	}()
	p.Stop()
	if err := <-blocked; !errors.Is(err, fanout.ErrStopped) {
		t.Fatalf("waiting Go returned %v, want ErrStopped", err)
	}
	os.WriteFile(gate, nil, 0o644)
	if err := p.Wait(); err != nil {
		t.Fatalf("Wait after Stop = %v, want nil", err)
	}
	if len(c.recs) != 1 || c.recs[0].stdout != "finished\n" {
		t.Fatalf("results %+v, want only the running job, finished", c.recs)
	}
}

// TestOrderedBehindSlowJobSpills checks that results waiting behind a slow
// job move to disk once they pass the memory budget, and come out whole.
func TestOrderedBehindSlowJobSpills(t *testing.T) {
	dir := t.TempDir()
	gate := filepath.Join(dir, "gate")
	const n = 40
	jobs := []*fanout.Job{fanout.ShellCommand(fmt.Sprintf("while [ ! -e %s ]; do sleep 0.01; done; echo first", gate))}
	for i := 1; i < n; i++ {
		// Each prints 1 MiB; the last one opens the gate.
		line := fmt.Sprintf("head -c 1048576 /dev/zero | tr '\\0' %c", 'a'+i%26)
		if i == n-1 {
			line += "; touch " + gate
		}
		jobs = append(jobs, fanout.ShellCommand(line))
	}
	recs := runAll(t, &fanout.Pool{Limit: 4, Ordered: true, CaptureLimit: 2 << 20, TempDir: dir}, jobs...)
	spilled := 0
	for i, r := range recs {
		if i == 0 {
			if r.stdout != "first\n" {
				t.Fatalf("first job printed %q", r.stdout)
			}
			continue
		}
		if len(r.stdout) != 1<<20 || strings.Trim(r.stdout, string(rune('a'+i%26))) != "" {
			t.Fatalf("job %d output corrupted (len %d)", i+1, len(r.stdout))
		}
		if r.spilled {
			spilled++
		}
	}
	if spilled == 0 {
		t.Fatal("no waiting result was moved to disk")
	}
	if spilled > n-10 {
		t.Fatalf("%d of %d results spilled: the memory budget was not used", spilled, n)
	}
}

func TestAttempts(t *testing.T) {
	dir := t.TempDir()
	count := filepath.Join(dir, "count")
	// Fails twice, then succeeds.
	job := fanout.ShellCommand(fmt.Sprintf(`echo x >> %s; n=$(wc -l < %s); echo attempt $n; [ $n -ge 3 ]`, count, count))
	r := runAll(t, &fanout.Pool{Attempts: 5}, job)[0]
	if r.exit != 0 || strings.TrimSpace(r.stdout) != "attempt 3" {
		t.Fatalf("exit=%d stdout=%q, want success on the third attempt", r.exit, r.stdout)
	}
	os.Remove(count)
	r = runAll(t, &fanout.Pool{Attempts: 2}, job)[0]
	if r.exit != 1 || strings.TrimSpace(r.stdout) != "attempt 2" {
		t.Fatalf("exit=%d stdout=%q, want failure after 2 attempts", r.exit, r.stdout)
	}
}
