package fanout_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
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
	t.Parallel()
	dir := t.TempDir()
	env := helper(t, "environ")
	env.Env = []string{helperEnv + "=environ", "GORACE=atexit_sleep_ms=0", "FANOUT_T=v"}
	tests := []struct {
		name   string
		job    *fanout.Job
		exit   int
		sig    syscall.Signal
		stdout string
		stderr string
		err    bool
	}{
		{"argv", helper(t, "args", "a b", "", "c"), 0, 0, "a b\n\nc\n", "", false},
		{"streams", helper(t, "print", "out\n", "eprint", "err\n", "exit", "3"), 3, 0, "out\n", "err\n", false},
		{"shell", fanout.ShellCommand("echo out; echo err >&2; exit 3"), 3, 0, "out\n", "err\n", false},
		{"signal", helper(t, "raise", "SIGHUP"), -1, syscall.SIGHUP, "", "", false},
		{"not found", fanout.Command("fanout-no-such-program"), -1, 0, "", "", true},
		{"not executable", &fanout.Job{Args: []string{"x"}, Path: "/dev/null"}, -1, 0, "", "", true},
		{"stdin", withStdin(helper(t, "cat", "-"), "from stdin"), 0, 0, "from stdin", "", false},
		{"dir", inDir(helper(t, "cwd"), dir), 0, 0, realPath(t, dir) + "\n", "", false},
		// Env replaces the environment: nothing of this process's is added.
		{"env", env, 0, 0, helperEnv + "=environ\nGORACE=atexit_sleep_ms=0\nFANOUT_T=v\n", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.sig == syscall.SIGHUP && signal.Ignored(syscall.SIGHUP) {
				t.Skip("SIGHUP is ignored here (nohup?), and so in every job")
			}
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

func withStdin(j *fanout.Job, in string) *fanout.Job {
	j.Stdin = strings.NewReader(in)
	return j
}

func inDir(j *fanout.Job, dir string) *fanout.Job {
	j.Dir = dir
	return j
}

// realPath is dir as the kernel names it to a process working in it.
func realPath(t *testing.T, dir string) string {
	t.Helper()
	p, err := filepath.EvalSymlinks(dir)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestNotFoundIsErrNotFound(t *testing.T) {
	t.Parallel()
	recs := runAll(t, &fanout.Pool{}, fanout.Command("fanout-no-such-program"))
	if !errors.Is(recs[0].err, exec.ErrNotFound) || !strings.Contains(recs[0].err.Error(), "fanout-no-such-program") {
		t.Fatalf("err = %v, want exec.ErrNotFound naming the program", recs[0].err)
	}
}

// TestLimit checks from the jobs' own view that at most Limit run at once:
// each job holds a lock file while it runs and counts the others'.
func TestLimit(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const limit, n = 3, 12
	var jobs []*fanout.Job
	for range n {
		// Each job announces itself, waits until it sees a full house or
		// every job has started, prints the most it saw, and leaves.
		jobs = append(jobs, helper(t, "crowd", dir, strconv.Itoa(limit), strconv.Itoa(n)))
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

// TestOrdered delivers results in submission order although the jobs
// finish in the reverse one: each waits until the pool has seen the next
// one finish.
func TestOrdered(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const n = 5
	finished := func(seq int64) string { return filepath.Join(dir, fmt.Sprint("finished", seq)) }
	var jobs []*fanout.Job
	for i := 1; i < n; i++ {
		jobs = append(jobs, helper(t, "gate", finished(int64(i+1)), "print", fmt.Sprint(i)))
	}
	jobs = append(jobs, helper(t, "print", fmt.Sprint(n)))
	p := &fanout.Pool{Limit: n, Ordered: true, Observe: func(ev fanout.Event) {
		if ev.Kind == fanout.Finished {
			os.WriteFile(finished(ev.Seq), nil, 0o644)
		}
	}}
	recs := runAll(t, p, jobs...)
	var got []string
	for i, r := range recs {
		if r.seq != int64(i+1) {
			t.Fatalf("result %d has seq %d", i, r.seq)
		}
		got = append(got, strings.TrimSpace(r.stdout))
	}
	if strings.Join(got, " ") != "1 2 3 4 5" {
		t.Fatalf("order = %v", got)
	}
}

// gateSink collects results, and creates the file gate when it receives the
// result of job seq.
type gateSink struct {
	collector
	seq  int64
	gate string
}

func (s *gateSink) Receive(r *fanout.Result) error {
	s.collector.Receive(r)
	if r.Seq == s.seq {
		return os.WriteFile(s.gate, nil, 0o644)
	}
	return nil
}

func TestUnorderedDeliversAsJobsFinish(t *testing.T) {
	t.Parallel()
	// The first job runs until the second one's result is delivered, so
	// delivery order is 2, 1 unless the pool holds a result back.
	gate := filepath.Join(t.TempDir(), "gate")
	sink := &gateSink{seq: 2, gate: gate}
	p := &fanout.Pool{Limit: 2, Sink: sink}
	for _, j := range []*fanout.Job{helper(t, "gate", gate, "print", "first\n"), helper(t, "print", "second\n")} {
		if _, err := p.Go(context.Background(), j); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Wait(); err != nil {
		t.Fatal(err)
	}
	recs := sink.recs
	if len(recs) != 2 || recs[0].seq != 2 || recs[1].seq != 1 || recs[1].stdout != "first\n" {
		t.Fatalf("delivered %+v; want job 2, then job 1", recs)
	}
}

func TestSpillToDisk(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const size = 5 << 20
	recs := runAll(t, &fanout.Pool{CaptureLimit: 64 << 10, TempDir: dir},
		helper(t, "fill", strconv.Itoa(size), "x"))
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
	t.Parallel()
	var all bytes.Buffer
	for i := range 256 {
		all.WriteByte(byte(i))
	}
	f := filepath.Join(t.TempDir(), "bin")
	os.WriteFile(f, bytes.Repeat(all.Bytes(), 1000), 0o644)
	recs := runAll(t, &fanout.Pool{CaptureLimit: 4096}, helper(t, "cat", f))
	want, _ := os.ReadFile(f)
	if recs[0].stdout != string(want) {
		t.Fatal("binary output changed in transit")
	}
}

// groupAlive reports whether any process of the group pgid still runs,
// waiting a bounded time for the group to empty before saying it did not.
func groupAlive(pgid int) bool {
	return !eventually(func() bool { return !groupRunning(pgid) })
}

// runTimed runs the job that mk makes in a fresh directory, with its
// Timeout d, on a pool that pool makes, and again with d doubled until the
// job had made the file ready in that directory before it timed out: a
// loaded machine may take longer than d to get a job going.
func runTimed(t *testing.T, pool func() *fanout.Pool, d time.Duration, ready string, mk func(dir string) *fanout.Job) (record, string) {
	t.Helper()
	for {
		dir := t.TempDir()
		job := mk(dir)
		job.Timeout = d
		r := runAll(t, pool(), job)[0]
		if _, err := os.Stat(filepath.Join(dir, ready)); err == nil {
			return r, dir
		}
		if d > 10*time.Second {
			t.Fatalf("the job was never ready before its timeout of %v: %+v", d, r)
		}
		d *= 2
	}
}

func TestTimeoutKillsWholeGroup(t *testing.T) {
	t.Parallel()
	// A tree: the job's process and two children of its own, in its group.
	// The job exits of SIGTERM once its children have: one step that waits
	// a minute, not the default 375 ms, which a loaded machine can take
	// to run their handlers, and then the job would die of SIGKILL.
	pool := func() *fanout.Pool {
		return &fanout.Pool{Executor: &fanout.Local{TermSeq: []fanout.TermStep{{Signal: syscall.SIGTERM, Wait: time.Minute}}}}
	}
	r, dir := runTimed(t, pool, 200*time.Millisecond, "pgid", func(dir string) *fanout.Job {
		return helper(t, "spawn", filepath.Join(dir, "gc1"), "spawn", filepath.Join(dir, "gc2"), "termwait", "pgid", filepath.Join(dir, "pgid"), "sleep", "1m")
	})
	gcs := []int{killAtEnd(t, filepath.Join(dir, "gc1")), killAtEnd(t, filepath.Join(dir, "gc2"))}
	if !r.timedOut || r.sig != syscall.SIGTERM || r.exit != -1 {
		t.Fatalf("timedOut=%v sig=%v exit=%d", r.timedOut, r.sig, r.exit)
	}
	if pg := readPid(t, filepath.Join(dir, "pgid")); groupAlive(pg) {
		t.Fatalf("process group %d still has members", pg)
	}
	for i, pid := range gcs {
		if !processGone(pid) {
			t.Fatalf("the job's child %d outlived it", pid)
		}
		// The whole group gets the term sequence, not only the job's
		// own process, so that its children too may clean up.
		if _, err := os.Stat(filepath.Join(dir, fmt.Sprint("gc", i+1, ".term"))); err != nil {
			t.Fatalf("the job's child %d was not sent SIGTERM", pid)
		}
	}
}

// A job that ignores SIGTERM gets the next step of the sequence.
func TestTermSeqEscalatesToKill(t *testing.T) {
	t.Parallel()
	pool := func() *fanout.Pool {
		return &fanout.Pool{Executor: &fanout.Local{TermSeq: []fanout.TermStep{
			{Signal: syscall.SIGTERM, Wait: 50 * time.Millisecond},
			{Signal: syscall.SIGKILL, Wait: 50 * time.Millisecond},
		}}}
	}
	r, _ := runTimed(t, pool, 100*time.Millisecond, "ready", func(dir string) *fanout.Job {
		return helper(t, "ignore", "SIGTERM", "touch", filepath.Join(dir, "ready"), "sleep", "1m")
	})
	if !r.timedOut || r.sig != syscall.SIGKILL {
		t.Fatalf("timedOut=%v sig=%v, want killed by SIGKILL", r.timedOut, r.sig)
	}
	if r.runtime < 150*time.Millisecond {
		t.Fatalf("killed after %v, before the timeout and the SIGTERM step had passed", r.runtime)
	}
}

func TestCancelTerminatesRunningJobs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	c := &collector{}
	p := &fanout.Pool{Limit: 2, Sink: c}
	file := func(name string, i int) string { return filepath.Join(dir, fmt.Sprint(name, i)) }
	for i := range 2 {
		// Each job signals readiness by creating its group's file.
		if _, err := p.Go(ctx, helper(t, "spawn", file("gc", i), "termwait", "pgid", file("pgid", i), "sleep", "1m")); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, file("pgid", 0), file("pgid", 1))
	gcs := []int{killAtEnd(t, file("gc", 0)), killAtEnd(t, file("gc", 1))}
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
		if pg := readPid(t, file("pgid", i)); groupAlive(pg) {
			t.Fatalf("group %d survived cancellation", pg)
		}
		if !processGone(gcs[i]) {
			t.Fatalf("the child %d of job %d survived cancellation", gcs[i], i)
		}
		if _, err := os.Stat(file("gc", i) + ".term"); err != nil {
			t.Fatalf("the child %d of job %d was not sent SIGTERM", gcs[i], i)
		}
	}
	// A pool whose context is done starts nothing more: Go refuses the
	// job, or hands it over and the worker delivers it unstarted.
	after := &collector{}
	p = &fanout.Pool{Sink: after}
	marker := filepath.Join(dir, "ran")
	_, goErr := p.Go(ctx, helper(t, "touch", marker))
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
	t.Parallel()
	dir := t.TempDir()
	pgid, gc := filepath.Join(dir, "pgid"), filepath.Join(dir, "gc")
	start := time.Now()
	// The child inherits stdout and sleeps; the job's process exits at once.
	recs := runAll(t, &fanout.Pool{}, helper(t, "pgid", pgid, "spawn", gc, "print", "done\n"))
	pid := killAtEnd(t, gc)
	if recs[0].stdout != "done\n" || recs[0].exit != 0 {
		t.Fatalf("stdout=%q exit=%d", recs[0].stdout, recs[0].exit)
	}
	if time.Since(start) > 10*time.Second {
		t.Fatal("pool waited for the grandchild")
	}
	if pg := readPid(t, pgid); groupAlive(pg) || !processGone(pid) {
		t.Fatalf("orphan %d left in group %d", pid, pg)
	}
}

func TestEscapedGrandchildBoundedByWaitDelay(t *testing.T) {
	t.Parallel()
	gc := filepath.Join(t.TempDir(), "gc")
	p := &fanout.Pool{Executor: &fanout.Local{WaitDelay: 100 * time.Millisecond}}
	start := time.Now()
	// The child, in a session of its own, holds stdout for a minute.
	recs := runAll(t, p, helper(t, "escape", gc, "print", "out\n"))
	el := time.Since(start)
	killAtEnd(t, gc)
	if recs[0].stdout != "out\n" {
		t.Fatalf("stdout=%q", recs[0].stdout)
	}
	if el > 10*time.Second {
		t.Fatalf("took %v: the escaped grandchild held the pool", el)
	}
}

func TestTryGo(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := &fanout.Pool{Limit: 1}
	ctx := context.Background()
	gate := filepath.Join(dir, "gate")
	if _, err := p.Go(ctx, helper(t, "gate", gate)); err != nil {
		t.Fatal(err)
	}
	if _, ok := p.TryGo(ctx, helper(t, "exit", "0")); ok {
		t.Fatal("TryGo succeeded while the only slot was busy")
	}
	os.WriteFile(gate, nil, 0o644)
	if err := p.Wait(); err != nil {
		t.Fatal(err)
	}
	idle := &fanout.Pool{Limit: 1}
	if _, ok := idle.TryGo(ctx, helper(t, "exit", "0")); !ok {
		t.Fatal("TryGo failed on an idle pool")
	}
	if err := idle.Wait(); err != nil {
		t.Fatal(err)
	}
}

func TestSinkErrorStopsPool(t *testing.T) {
	t.Parallel()
	boom := errors.New("sink broke")
	p := &fanout.Pool{Limit: 1, Sink: fanout.SinkFunc(func(*fanout.Result) error { return boom })}
	ctx := context.Background()
	var err error
	for range 100 {
		if _, err = p.Go(ctx, helper(t, "exit", "0")); err != nil {
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
	t.Parallel()
	p := &fanout.Pool{}
	p.Wait()
	if _, err := p.Go(context.Background(), fanout.Command("true")); !errors.Is(err, fanout.ErrStopped) {
		t.Fatalf("err = %v, want ErrStopped", err)
	}
}

func TestManyJobsSeqComplete(t *testing.T) {
	t.Parallel()
	const n = 500
	jobs := make([]*fanout.Job, n)
	for i := range jobs {
		// Not the helper: 500 starts of a race-enabled test binary cost
		// seconds, and prove nothing more.
		jobs[i] = fanout.Command("echo", strconv.Itoa(i))
	}
	recs := runAll(t, &fanout.Pool{Limit: 8}, jobs...)
	var seqs []int
	for _, r := range recs {
		if r.stdout != strconv.Itoa(int(r.seq-1))+"\n" {
			t.Fatalf("seq %d printed %q; exit %d, signal %v, stderr %q, err %v, runtime %v",
				r.seq, r.stdout, r.exit, r.sig, r.stderr, r.err, r.runtime)
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
	t.Parallel()
	exe := helperPath(t)
	prep := func(j *fanout.Job, seq int64, slot int) error {
		if seq == 3 {
			return errors.New("refused")
		}
		j.Args = []string{helperName, fmt.Sprintf("%d-%d", seq, slot)}
		return nil
	}
	var jobs []*fanout.Job
	for range 3 {
		jobs = append(jobs, &fanout.Job{Prepare: prep, Path: exe, Env: helperEnviron("args")})
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
	t.Parallel()
	dir := t.TempDir()
	gate := filepath.Join(dir, "gate")
	c := &collector{}
	p := &fanout.Pool{Limit: 1, Sink: c}
	ctx := context.Background()
	if _, err := p.Go(ctx, helper(t, "gate", gate, "print", "finished\n")); err != nil {
		t.Fatal(err)
	}
	blocked := make(chan error)
	go func() {
		_, err := p.Go(ctx, helper(t, "print", "never\n"))
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
	t.Parallel()
	dir := t.TempDir()
	gate := filepath.Join(dir, "gate")
	const n = 40
	jobs := []*fanout.Job{helper(t, "gate", gate, "print", "first\n")}
	for i := 1; i < n; i++ {
		// Each prints 1 MiB; the last one opens the gate.
		steps := []string{"1048576", string(rune('a' + i%26))}
		if i == n-1 {
			steps = append(steps, "touch", gate)
		}
		jobs = append(jobs, helper(t, "fill", steps...))
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
	t.Parallel()
	dir := t.TempDir()
	count := filepath.Join(dir, "count")
	// Fails twice, then succeeds.
	job := helper(t, "attempt", count, "3")
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

// A job's own Attempts, set as late as Prepare, wins over the pool's.
func TestJobAttempts(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	count := filepath.Join(dir, "count")
	job := helper(t, "attempt", count, "3")
	job.Prepare = func(j *fanout.Job, _ int64, _ int) error { j.Attempts = 3; return nil }
	r := runAll(t, &fanout.Pool{Attempts: 2}, job)[0]
	if r.exit != 0 || strings.TrimSpace(r.stdout) != "attempt 3" {
		t.Fatalf("exit=%d stdout=%q, want success on the third attempt", r.exit, r.stdout)
	}
	os.Remove(count)
	job = helper(t, "attempt", count, "3")
	job.Attempts = 1
	r = runAll(t, &fanout.Pool{Attempts: 5}, job)[0]
	if r.exit != 1 || strings.TrimSpace(r.stdout) != "attempt 1" {
		t.Fatalf("exit=%d stdout=%q, want failure after 1 attempt", r.exit, r.stdout)
	}
}
