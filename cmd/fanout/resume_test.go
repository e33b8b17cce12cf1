package main

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fanoutCmd runs this test binary as the fanout command.
func fanoutCmd(dir string, args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Dir = dir
	cmd.Env = childEnv("FANOUT_TEST_AS_CLI=1", "PARALLEL_SHELL=/bin/sh")
	return cmd
}

// childEnv is this process's environment, with vars, for a child that runs
// this test binary. Built with -race, the binary sleeps a second at exit
// for other threads to report races, and so does its reaper, which fanout
// waits for: most tests would spend more time in those sleeps than in
// fanout. A race is still reported, and fails the child, without them.
func childEnv(vars ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GORACE=") {
			env = append(env, kv)
		}
	}
	return append(append(env, "GORACE="+raceOptions()), vars...)
}

// raceOptions is $GORACE with no sleep at exit.
func raceOptions() string {
	return strings.TrimSpace(os.Getenv("GORACE") + " atexit_sleep_ms=0")
}

// joblogSeqs reads the job log's finished sequence numbers, failing the
// test if the log is not whole.
func joblogSeqs(t *testing.T, path string) map[int]bool {
	t.Helper()
	seqs := map[int]bool{}
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return seqs
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > 0 && b[len(b)-1] != '\n' {
		t.Fatalf("job log ends in a torn row: %q", b[max(0, len(b)-80):])
	}
	sc := bufio.NewScanner(f)
	for i := 0; sc.Scan(); i++ {
		if i == 0 {
			continue
		}
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) != 9 {
			t.Fatalf("malformed job log row %q", sc.Text())
		}
		seq, err := strconv.Atoi(cols[0])
		if err != nil {
			t.Fatalf("malformed seq in %q", sc.Text())
		}
		seqs[seq] = true
	}
	return seqs
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Fields(string(b))
}

// killAfter picks when to kill an attempt: at random, early on; later
// attempts get longer, so that a slow machine (or the race detector) still
// makes progress, and the last ones run to the end.
func killAfter(attempt int) time.Duration {
	if attempt >= 40 {
		return time.Hour
	}
	return time.Duration(rand.IntN(100+50*attempt)) * time.Millisecond
}

// TestKillNineThenResume kills fanout with SIGKILL at random moments during
// a run of a few hundred short jobs, then resumes until the run completes:
// every input must complete, and no job the log recorded as finished may
// run again.
func TestKillNineThenResume(t *testing.T) {
	t.Parallel()
	rounds := 8
	if testing.Short() {
		rounds = 3
	}
	const n = 300
	for round := range rounds {
		dir := t.TempDir()
		var in strings.Builder
		for i := 1; i <= n; i++ {
			fmt.Fprintln(&in, i)
		}
		os.WriteFile(filepath.Join(dir, "in"), []byte(in.String()), 0o644)
		ran := filepath.Join(dir, "ran")
		jl := filepath.Join(dir, "jl")
		args := []string{"-j4", "--joblog", jl, "--resume", "echo {} >> " + ran + "; sleep 0.0$(( {} % 3 ))", "::::", "in"}
		kills := 0
		// After each kill: how many runs the ran file held, and which
		// jobs the log held. None of those may appear after that point.
		type checkpoint struct {
			runs   int
			logged map[int]bool
		}
		var checkpoints []checkpoint
		for attempt := 0; ; attempt++ {
			if attempt > 60 {
				t.Fatalf("round %d: no complete run after %d attempts", round, attempt)
			}
			cmd := fanoutCmd(dir, args...)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			var err error
			killed := false
			select {
			case err = <-done:
			case <-time.After(killAfter(attempt)):
				cmd.Process.Signal(syscall.SIGKILL)
				err = <-done
				killed = true
			}
			logged := joblogSeqs(t, jl)
			before := len(readLines(t, ran))
			if !killed || (err == nil && cmd.ProcessState.Success()) {
				if err != nil {
					t.Fatalf("round %d: final run failed: %v", round, err)
				}
				break
			}
			kills++
			checkpoints = append(checkpoints, checkpoint{before, logged})
		}
		runs := readLines(t, ran)
		for _, c := range checkpoints {
			for _, r := range runs[c.runs:] {
				seq, _ := strconv.Atoi(r)
				if c.logged[seq] {
					t.Fatalf("round %d: job %d ran again after it was logged as finished", round, seq)
				}
			}
		}
		final := joblogSeqs(t, jl)
		if len(final) != n {
			t.Fatalf("round %d: %d of %d jobs logged after %d kills", round, len(final), n, kills)
		}
		t.Logf("round %d: complete after %d kills", round, kills)
	}
}
