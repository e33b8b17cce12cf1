package main

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestKillNineThenResumeResults kills fanout with SIGKILL at random moments
// while it writes --results (files named by a template, or one CSV table),
// then resumes until the run completes: every job's output must be there
// whole, the table must parse, and no job the log recorded as finished may
// run again.
func TestKillNineThenResumeResults(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"out/{}/", "out/{}.txt", "r.csv"} {
		t.Run(strings.NewReplacer("/", "_", "{}", "N").Replace(mode), func(t *testing.T) {
			t.Parallel()
			resumeResults(t, mode)
		})
	}
}

func resumeResults(t *testing.T, mode string) {
	const n = 200
	dir := t.TempDir()
	var in strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintln(&in, i)
	}
	os.WriteFile(filepath.Join(dir, "in"), []byte(in.String()), 0o644)
	ran := filepath.Join(dir, "ran")
	jl := filepath.Join(dir, "jl")
	args := []string{"-j4", "--joblog", jl, "--resume", "--results", mode,
		"echo {} >> " + ran + "; echo out {}; echo err {} >&2; sleep 0.0$(( {} % 3 ))", "::::", "in"}
	type checkpoint struct {
		runs   int
		logged map[int]bool
	}
	var checkpoints []checkpoint
	for attempt := 0; ; attempt++ {
		if attempt > 60 {
			t.Fatalf("no complete run after %d attempts", attempt)
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
		if !killed || (err == nil && cmd.ProcessState.Success()) {
			if err != nil {
				t.Fatalf("final run failed: %v", err)
			}
			break
		}
		checkpoints = append(checkpoints, checkpoint{len(readLines(t, ran)), logged})
	}
	runs := readLines(t, ran)
	for _, c := range checkpoints {
		for _, r := range runs[c.runs:] {
			if seq, _ := strconv.Atoi(r); c.logged[seq] {
				t.Fatalf("job %d ran again after it was logged as finished", seq)
			}
		}
	}
	if got := len(joblogSeqs(t, jl)); got != n {
		t.Fatalf("%d of %d jobs logged", got, n)
	}
	if mode == "r.csv" {
		checkTable(t, filepath.Join(dir, mode), n)
	} else {
		checkFiles(t, dir, mode, n)
	}
	t.Logf("complete after %d kills", len(checkpoints))
}

// checkFiles checks that every job has its three files, whole.
func checkFiles(t *testing.T, dir, mode string, n int) {
	t.Helper()
	for i := 1; i <= n; i++ {
		base := filepath.Join(dir, strings.ReplaceAll(mode, "{}", strconv.Itoa(i)))
		stdout, stderr, seq := base, base+".err", base+".seq"
		if strings.HasSuffix(mode, "/") {
			stdout, stderr, seq = base+"/stdout", base+"/stderr", base+"/seq" // Join drops the /
		}
		for path, want := range map[string]string{stdout: fmt.Sprintf("out %d\n", i), stderr: fmt.Sprintf("err %d\n", i), seq: strconv.Itoa(i)} {
			b, err := os.ReadFile(path)
			if err != nil || string(b) != want {
				t.Fatalf("%s = %q, %v; want %q", path, b, err, want)
			}
		}
	}
}

// checkTable checks that the table parses, has one header, and a row for
// every job with its output. A job killed after its row was written but
// before it was logged runs again and has two rows, both whole.
func checkTable(t *testing.T, path string, n int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("the table does not parse: %v", err)
	}
	if len(rows) == 0 || rows[0][0] != "Seq" {
		t.Fatalf("no header: %q", rows)
	}
	seen := map[int]bool{}
	for _, r := range rows[1:] {
		if len(r) != 12 {
			t.Fatalf("row %q has %d columns, want 12", r, len(r))
		}
		seq, err := strconv.Atoi(r[0])
		if err != nil || r[9] != r[0] || r[10] != "out "+r[0]+"\n" || r[11] != "err "+r[0]+"\n" {
			t.Fatalf("row %q is not job %s's", r, r[0])
		}
		seen[seq] = true
	}
	if len(seen) != n {
		t.Fatalf("%d of %d jobs in the table", len(seen), n)
	}
}
