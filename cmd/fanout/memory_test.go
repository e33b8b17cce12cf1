package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
)

var (
	buildOnce sync.Once
	buildPath string
	buildErr  error
)

// plainBinary builds fanout without the race detector, whose shadow memory
// would swamp what these tests measure.
func plainBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "fanout-bin")
		if err != nil {
			buildErr = err
			return
		}
		buildPath = filepath.Join(dir, "fanout")
		if out, err := exec.Command("go", "build", "-o", buildPath, ".").CombinedOutput(); err != nil {
			// Every test that needs the binary fails with the reason.
			buildErr = fmt.Errorf("%w\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatalf("building fanout: %v", buildErr)
	}
	return buildPath
}

// runPeak runs name with args and writes its peak resident set, in KiB, to
// the file out. The test binary plays this part between a test and the
// command it measures, because Linux counts the memory of the process that
// forks a child in the child's peak RSS: a direct child of a test process
// that has grown would report at least the test's size.
func runPeak(out, name string, args ...string) int {
	cmd := exec.Command(name, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := cmd.Run()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		fmt.Fprintln(os.Stderr, "peak:", err)
		return 127
	}
	kib := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss
	if err := os.WriteFile(out, strconv.AppendInt(nil, kib, 10), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "peak:", err)
		return 126
	}
	return cmd.ProcessState.ExitCode()
}

// peakRSS runs the binary with args, output to /dev/null, and returns its
// peak resident set in MiB.
func peakRSS(t *testing.T, bin, dir string, args ...string) float64 {
	t.Helper()
	return peakRSSWith(t, bin, dir, nil, args...)
}

// peakRSSWith is peakRSS with stdin as the binary's standard input (nil:
// /dev/null).
func peakRSSWith(t *testing.T, bin, dir string, stdin io.Reader, args ...string) float64 {
	t.Helper()
	peak := filepath.Join(t.TempDir(), "peak")
	cmd := exec.Command(os.Args[0], append([]string{bin}, args...)...)
	cmd.Stdin = stdin
	cmd.Dir = dir
	cmd.Env = childEnv("PARALLEL_SHELL=/bin/sh", "TMPDIR="+dir, "FANOUT_TEST_AS_PEAK="+peak)
	devnull, _ := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	defer devnull.Close()
	cmd.Stdout = devnull
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("fanout %q: %v\n%s", args, err, stderr.String())
	}
	b, err := os.ReadFile(peak)
	if err != nil {
		t.Fatal(err)
	}
	kib, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		t.Fatal(err)
	}
	return kib / 1024
}

// TestMemoryBoundedWhileJobsPrintGigabytes checks the bound on fanout's own
// memory while jobs print far more than it: in every output mode, behind a
// slow job with -k, and for one enormous line.
func TestMemoryBoundedWhileJobsPrintGigabytes(t *testing.T) {
	if testing.Short() {
		t.Skip("moves gigabytes")
	}
	bin := plainBinary(t)
	const ceiling = 64.0 // MiB
	// Four jobs of 256 MiB each: 1 GiB through fanout per case.
	big := "true {}; head -c 268435456 /dev/zero | tr '\\0' 'x' | fold -w 100"
	oneLine := "true {}; head -c 268435456 /dev/zero | tr '\\0' 'x'"
	cases := []struct {
		name string
		args []string
	}{
		{"group", []string{"-j2", big, ":::", "1", "2", "3", "4"}},
		{"keep-order", []string{"-j2", "-k", big, ":::", "1", "2", "3", "4"}},
		{"keep-order behind a slow job", []string{"-j2", "-k", "if [ {} = 1 ]; then sleep 2; fi; " + big, ":::", "1", "2", "3", "4"}},
		{"line-buffer", []string{"-j2", "--line-buffer", big, ":::", "1", "2", "3", "4"}},
		{"ungroup", []string{"-j2", "-u", big, ":::", "1", "2", "3", "4"}},
		{"tag", []string{"-j2", "--tag", big, ":::", "1", "2", "3", "4"}},
		{"one 256 MiB line, grouped", []string{"-j2", oneLine, ":::", "1", "2"}},
		{"one 256 MiB line, line-buffer", []string{"-j2", "--line-buffer", oneLine, ":::", "1", "2"}},
		{"one 256 MiB line, tag", []string{"-j2", "--tag", oneLine, ":::", "1", "2"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rss := peakRSS(t, bin, t.TempDir(), c.args...)
			t.Logf("peak RSS %.1f MiB", rss)
			if rss > ceiling {
				t.Fatalf("peak RSS %.1f MiB, over the %.0f MiB ceiling", rss, ceiling)
			}
		})
	}
}
