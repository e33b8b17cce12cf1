package main

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// bigJob prints a block that can be checked for wholeness: a start line, a
// payload line of payloadSize bytes, an end line.
const (
	payloadSize = 1 << 20
	bigJob      = `echo S {}; head -c 1048576 /dev/zero | tr '\0' x; echo; echo E {}; sleep 0.0$(( {} % 3 ))`
)

// wholeBlocks counts, per job, the blocks of bigJob output in b that are
// whole. A block cut off by a kill is followed by whatever the next run
// printed, so it never parses as whole.
func wholeBlocks(b []byte) map[int]int {
	whole := map[int]int{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 2*payloadSize), 4*payloadSize)
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	for i := 0; i+2 < len(lines); i++ {
		// A block cut off has no newline: the next run's first line is
		// glued to it.
		k := strings.LastIndex(lines[i], "S ")
		if k < 0 {
			continue
		}
		seq := lines[i][k+2:]
		if lines[i+2] != "E "+seq || len(lines[i+1]) != payloadSize || strings.Trim(lines[i+1], "x") != "" {
			continue
		}
		n, _ := strconv.Atoi(seq)
		whole[n]++
		i += 2
	}
	return whole
}

// killNineRounds runs args with --joblog and --resume, killing fanout with
// SIGKILL at random moments until a run completes, with stdout appended to
// dir/out. It returns the number of kills.
func killNineRounds(t *testing.T, dir string, args []string) int {
	t.Helper()
	out, err := os.OpenFile(filepath.Join(dir, "out"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	args = append([]string{"--joblog", "jl", "--resume"}, args...)
	kills := 0
	for attempt := 0; ; attempt++ {
		if attempt > 60 {
			t.Fatalf("no complete run after %d attempts", attempt)
		}
		cmd := fanoutCmd(dir, args...)
		pr, pw, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stdout = pw
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		pw.Close()
		copied := make(chan struct{})
		go func() {
			slowCopy(out, pr)
			pr.Close()
			close(copied)
		}()
		done := make(chan error, 1)
		go func() {
			err := cmd.Wait()
			<-copied
			done <- err
		}()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("final run failed: %v", err)
			}
			return kills
		case <-time.After(killAfter(attempt)):
			cmd.Process.Signal(syscall.SIGKILL)
			<-done
			kills++
		}
	}
}

// slowCopy copies r to w at about 64 MB/s, so that delivering a job's
// output takes long enough for random kills to land in the middle of it.
func slowCopy(w io.Writer, r io.Reader) {
	buf := make([]byte, 64<<10)
	for {
		n, err := r.Read(buf)
		w.Write(buf[:n])
		if err != nil {
			return
		}
		time.Sleep(time.Millisecond)
	}
}

// A job is logged only once its output is out: after kill -9 at random
// moments and --resume, every job the log holds has its output whole,
// in the -k output file and in the --results tree.
func TestKillNineKeepsOutput(t *testing.T) {
	t.Parallel()
	rounds := 3
	if testing.Short() {
		rounds = 1
	}
	// FANOUT_TEST_ROUNDS runs more, for an endurance run by hand.
	if v, err := strconv.Atoi(os.Getenv("FANOUT_TEST_ROUNDS")); err == nil && v > 0 {
		rounds = v
	}
	const n = 40
	var in []string
	for i := 1; i <= n; i++ {
		in = append(in, strconv.Itoa(i))
	}
	modes := map[string][]string{
		"keep-order": {"-k"},
		"group":      {},
		"results":    {"--results", "res"},
	}
	for name, opts := range modes {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var kills, lost, dups int
			for range rounds {
				dir := t.TempDir()
				args := append(append([]string{"-j4"}, opts...), append([]string{bigJob, ":::"}, in...)...)
				kills += killNineRounds(t, dir, args)
				logged := joblogSeqs(t, filepath.Join(dir, "jl"))
				if len(logged) != n {
					t.Fatalf("%d of %d jobs logged", len(logged), n)
				}
				whole := map[int]int{}
				if name == "results" {
					for seq := range logged {
						b, _ := os.ReadFile(filepath.Join(dir, "res", "1", strconv.Itoa(seq), "stdout"))
						for k, v := range wholeBlocks(b) {
							whole[k] += v
						}
					}
				} else {
					b, _ := os.ReadFile(filepath.Join(dir, "out"))
					whole = wholeBlocks(b)
				}
				for seq := range logged {
					switch {
					case whole[seq] == 0:
						lost++
						t.Errorf("job %d is logged, but its output is not whole", seq)
					case whole[seq] > 1:
						dups++
					}
				}
			}
			t.Logf("%s: %d rounds of %d jobs, %d kills: %d logged jobs lost or truncated, %d printed more than once (unlogged when killed)", name, rounds, n, kills, lost, dups)
		})
	}
}

// A job whose output could not be written is not done: it is not logged,
// the run fails, and --resume runs it again.
func TestOutputLostIsNotLogged(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skipf("no /dev/full: %v", err)
	}
	defer full.Close()
	cmd := fanoutCmd(dir, "-j1", "--joblog", "jl", "echo", ":::", "a", "b", "c")
	cmd.Stdout = full
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Run(); err == nil {
		t.Fatal("exit status 0 with every output lost")
	}
	if !strings.Contains(stderr.String(), "no space left on device") || !strings.Contains(stderr.String(), "space where fanout's standard output goes") || strings.Contains(stderr.String(), "--tmpdir") || strings.Count(stderr.String(), "\n") != 1 {
		t.Fatalf("want one line naming the full output, got:\n%s", stderr.String())
	}
	if logged := joblogSeqs(t, filepath.Join(dir, "jl")); len(logged) != 0 {
		t.Fatalf("jobs whose output was lost are logged: %v", logged)
	}
	out, _, code := runCLI(t, dir, "-j1", "-k", "--joblog", "jl", "--resume", "echo", ":::", "a", "b", "c")
	if code != 0 || out != "a\nb\nc\n" {
		t.Fatalf("--resume printed %q (exit %d), want a, b and c", out, code)
	}
}

// A missing or unusable --tmpdir is refused at start, before any job runs.
func TestBadTmpdir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "file"), nil, 0o644)
	for _, tmp := range []string{filepath.Join(dir, "nonexistent"), filepath.Join(dir, "file")} {
		for _, env := range []bool{false, true} {
			args := []string{"--tmpdir", tmp}
			if env {
				args = nil
			}
			args = append(args, "head -c 1000000 /dev/zero; echo {} > ran_{}", ":::", "1", "2")
			cmd := fanoutCmd(dir, args...)
			if env {
				cmd.Env = append(cmd.Env, "TMPDIR="+tmp)
			}
			var stderr strings.Builder
			cmd.Stderr = &stderr
			err := cmd.Run()
			if code := cmd.ProcessState.ExitCode(); code != 255 {
				t.Fatalf("tmpdir %s (env %v): exit %d (%v), want 255\n%s", tmp, env, code, err, stderr.String())
			}
			if !strings.Contains(stderr.String(), tmp) || strings.Count(stderr.String(), "\n") != 1 {
				t.Fatalf("want one line naming %s, got:\n%s", tmp, stderr.String())
			}
			if _, err := os.Stat(filepath.Join(dir, "ran_1")); err == nil {
				t.Fatal("a job ran with an unusable tmpdir")
			}
		}
	}
}

// Output that could not be kept (the spill file failed) fails the run.
func TestOutputLostFailsTheRun(t *testing.T) {
	t.Parallel()
	tmp := tinyFS(t, "64k")
	dir := t.TempDir()
	_, stderr, code := runCLI(t, dir, "-j1", "--tmpdir", tmp, "head -c 1000000 /dev/zero", ":::", "1")
	if code == 0 {
		t.Fatalf("exit 0 after losing output:\n%s", stderr)
	}
	if !strings.Contains(stderr, "no space left on device") {
		t.Fatalf("stderr does not say what was lost:\n%s", stderr)
	}
}
