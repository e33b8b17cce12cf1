package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// semCmd is fanout --semaphore with its files under home, which stands
// for $PARALLEL_HOME.
func semCmd(dir, home string, args ...string) *exec.Cmd {
	cmd := fanoutCmd(dir, append([]string{"--semaphore"}, args...)...)
	cmd.Env = append(cmd.Env, "PARALLEL_HOME="+home)
	return cmd
}

// semBackground runs fanout --semaphore without --fg and returns once it
// exits; its command goes on in the background, writing to a file, as a
// pipe would keep the caller waiting for the command's end.
func semBackground(t *testing.T, dir, home string, args ...string) {
	t.Helper()
	f, err := os.CreateTemp(dir, "sem-out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cmd := semCmd(dir, home, args...)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Run(); err != nil {
		out, _ := os.ReadFile(f.Name())
		t.Errorf("fanout --semaphore %q: %v\n%s", args, err, out)
	}
}

// Several fanout processes contend for the two slots of one semaphore:
// each returns once its command holds a slot and runs in the background,
// never more than two run at once, and --wait returns once all are done.
func TestSemaphoreNeverMoreThanTwoRun(t *testing.T) {
	t.Parallel()
	dir, home := t.TempDir(), t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "running"), 0o755); err != nil {
		t.Fatal(err)
	}
	// Each job counts the jobs running, itself included, as it starts.
	job := `touch running/$$; ls running | wc -l >> counts; sleep 0.1; rm running/$$; echo done >> finished`
	const n = 6
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			semBackground(t, dir, home, "--id", "two", "-j2", job)
		}()
	}
	wg.Wait()
	if out, err := semCmd(dir, home, "--id", "two", "--wait").CombinedOutput(); err != nil {
		t.Fatalf("sem --wait: %v\n%s", err, out)
	}
	// --wait returned: every job ran and ended.
	finished, _ := os.ReadFile(filepath.Join(dir, "finished"))
	if got := strings.Count(string(finished), "done"); got != n {
		t.Fatalf("after --wait %d jobs had finished, want %d", got, n)
	}
	counts, err := os.ReadFile(filepath.Join(dir, "counts"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range strings.Fields(string(counts)) {
		if c, _ := strconv.Atoi(f); c < 1 || c > 2 {
			t.Fatalf("a job saw %s jobs running, want at most 2 (all counts: %q)", f, counts)
		}
	}
}

// A background holder killed with SIGKILL frees its slot: the next one
// waiting gets it.
func TestSemaphoreSlotFreedByKill(t *testing.T) {
	t.Parallel()
	dir, home := t.TempDir(), t.TempDir()
	// Should the test fail early, the holder's job still ends.
	t.Cleanup(func() { os.WriteFile(filepath.Join(dir, "release"), nil, 0o644) })
	// The job's shell is the holder's child: $PPID is the holder.
	// The pid is written whole before the file has its name.
	hold := `echo $PPID > holder.tmp; mv holder.tmp holder; while [ ! -e release ]; do sleep 0.01; done`
	semBackground(t, dir, home, "--id", "k", hold)
	waitFiles(t, filepath.Join(dir, "holder"))
	holder := readPid(t, filepath.Join(dir, "holder"))

	next := semCmd(dir, home, "--id", "k", "--fg", "echo got it")
	var out strings.Builder
	next.Stdout, next.Stderr = &out, &out
	if err := next.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { next.Process.Kill() })
	done := make(chan error, 1)
	go func() { done <- next.Wait() }()
	select {
	case err := <-done:
		t.Fatalf("the second took the only slot while it was held: %v\n%s", err, out.String())
	case <-time.After(200 * time.Millisecond):
	}
	if err := syscall.Kill(holder, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil || out.String() != "got it\n" {
			t.Fatalf("after the holder was killed: %v, output %q", err, out.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the slot of a killed holder was never freed")
	}
}

// --wait waits for a running holder; --fg exits as its command did; a
// negative --semaphore-timeout gives up with status 1.
func TestSemaphoreWaitFgAndTimeout(t *testing.T) {
	t.Parallel()
	dir, home := t.TempDir(), t.TempDir()
	t.Cleanup(func() { os.WriteFile(filepath.Join(dir, "release"), nil, 0o644) })
	semBackground(t, dir, home, "--id", "w", `touch started; while [ ! -e release ]; do sleep 0.01; done`)
	waitFiles(t, filepath.Join(dir, "started"))

	if status := exitStatusOf(t, semCmd(dir, home, "--id", "w", "--st", "-0.2", "--fg", "true")); status != 1 {
		t.Fatalf("--st -0.2 on a held semaphore: status %d, want 1", status)
	}
	wait := semCmd(dir, home, "--id", "w", "--wait")
	if err := wait.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { wait.Process.Kill() })
	done := make(chan error, 1)
	go func() { done <- wait.Wait() }()
	select {
	case err := <-done:
		t.Fatalf("--wait returned while the semaphore was held: %v", err)
	case <-time.After(200 * time.Millisecond):
	}
	if err := os.WriteFile(filepath.Join(dir, "release"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("--wait: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("--wait did not return once the holder was done")
	}
	if status := exitStatusOf(t, semCmd(dir, home, "--id", "w", "--fg", "exit 7")); status != 7 {
		t.Fatalf("--fg 'exit 7': status %d", status)
	}
}

func exitStatusOf(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return exitStatus(t, cmd)
}

// With --memfree far above any machine's memory no job starts; a SIGTERM
// then ends the run, and the job that waited is neither run nor logged.
// With a limit that is certainly met the jobs run.
func TestMemfreeGatesJobStarts(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if out, err := fanoutCmd(dir, "--memfree", "1k", "--load", "100000", "touch", ":::", "ran1").CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	waitFiles(t, filepath.Join(dir, "ran1"))

	cmd, sc, _ := startFanout(t, dir, "--memfree", "1P", "--joblog", "jl", "touch", ":::", "ran2")
	// The job log is opened once fanout handles signals and is about to
	// submit jobs; then time for a job to start, if it would.
	waitFiles(t, filepath.Join(dir, "jl"))
	time.Sleep(300 * time.Millisecond)
	if _, err := os.Stat(filepath.Join(dir, "ran2")); err == nil {
		t.Fatal("a job started with less memory free than --memfree")
	}
	cmd.Process.Signal(syscall.SIGTERM)
	go func() {
		for sc.Scan() {
		}
	}()
	if status := exitStatus(t, cmd); status != 128+int(syscall.SIGTERM) {
		t.Fatalf("status %d after SIGTERM, want %d", status, 128+int(syscall.SIGTERM))
	}
	if _, err := os.Stat(filepath.Join(dir, "ran2")); err == nil {
		t.Fatal("the job that waited for memory ran after SIGTERM")
	}
	if seqs := joblogSeqs(t, filepath.Join(dir, "jl")); len(seqs) != 0 {
		t.Fatalf("the job log has %v, want no job", seqs)
	}
}

// --files leaves a file per job with its output, and prints the names.
func TestFilesHoldTheOutput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out, err := fanoutCmd(dir, "-k", "--files", "--tmpdir", dir, "echo", ":::", "a", "b").Output()
	if err != nil {
		t.Fatal(err)
	}
	names := strings.Fields(string(out))
	if len(names) != 2 {
		t.Fatalf("printed %q, want two file names", out)
	}
	for i, want := range []string{"a\n", "b\n"} {
		b, err := os.ReadFile(names[i])
		if err != nil || string(b) != want {
			t.Fatalf("%s holds %q (%v), want %q", names[i], b, err, want)
		}
		if filepath.Dir(names[i]) != dir {
			t.Fatalf("%s is not in --tmpdir %s", names[i], dir)
		}
	}
}
