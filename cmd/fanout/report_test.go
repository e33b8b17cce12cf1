package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// outcomes returns the outcome codes in a report's data: 0 success, 3
// killed by a signal, 4 running (see internal/report).
var outcomes = regexp.MustCompile(`"o":\[([0-9,]*)\]`)

// waitReport polls the report until cond holds of it.
func waitReport(t *testing.T, path string, what string, cond func(page string) bool) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		b, err := os.ReadFile(path)
		if err == nil && cond(string(b)) {
			return string(b)
		}
		if time.Now().After(deadline) {
			t.Fatalf("the report never showed %s; last: %v %.200s", what, err, b)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A report is rewritten while the run goes, showing the jobs running, and
// written a last time when SIGINT ends the run, showing them killed.
func TestReportMidRunAndInterrupted(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	report := filepath.Join(dir, "run.html")
	cmd, sc, _ := startFanout(t, dir, "-j", "2", "--report", report, gatedJob, ":::", "1", "2", "3")
	waitFiles(t, filepath.Join(dir, "started_1"), filepath.Join(dir, "started_2"))
	waitReport(t, report, "two jobs running", func(p string) bool {
		m := outcomes.FindStringSubmatch(p)
		return m != nil && m[1] == "4,4" && strings.Contains(p, "running: written")
	})
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	waitLine(t, sc, "SIGINT")
	if st := exitStatus(t, cmd); st != 130 {
		t.Errorf("exit status %d, want 130", st)
	}
	page, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	if m := outcomes.FindStringSubmatch(string(page)); m == nil || m[1] != "3,3" {
		t.Errorf("outcomes after SIGINT: %v, want the two jobs killed by signal", m)
	}
	if !strings.Contains(string(page), "stopped by SIGINT") {
		t.Error("the report does not say SIGINT stopped the run")
	}
	if es, _ := os.ReadDir(dir); len(es) != 3 { // run.html, started_1, started_2
		var names []string
		for _, e := range es {
			names = append(names, e.Name())
		}
		t.Errorf("files left: %v", names)
	}
}
