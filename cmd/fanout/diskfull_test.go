package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// tinyFS mounts a tmpfs of the given size, or skips the test where mounting
// is not allowed.
func tinyFS(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })
	return dir
}

func runCLI(t *testing.T, dir string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := fanoutCmd(dir, args...)
	var o, e strings.Builder
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	code = 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return o.String(), e.String(), code
}

// A full disk under --tmpdir loses the output that did not fit, says so,
// starts no more jobs and exits 255. The job whose output was lost is not
// done: it is not logged, so that --resume runs it again.
func TestFullTmpdir(t *testing.T) {
	t.Parallel()
	tmp := tinyFS(t, "256k")
	dir := t.TempDir()
	_, stderr, code := runCLI(t, dir, "-j1", "--joblog", "jl", "--tmpdir", tmp,
		"head -c 3000000 /dev/zero; echo done {} >&2", ":::", "1", "2", "3")
	if code != 255 {
		t.Fatalf("exit %d, want 255; stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "no space left on device") || !strings.Contains(stderr, tmp) || !strings.Contains(stderr, "done 1") {
		t.Fatalf("stderr does not name the full disk, or lost the job's stderr:\n%s", stderr)
	}
	if strings.Contains(stderr, "done 2") || strings.Contains(stderr, "done 3") {
		t.Fatalf("jobs started after the disk filled:\n%s", stderr)
	}
	log, _ := os.ReadFile(filepath.Join(dir, "jl"))
	if rows := strings.Count(string(log), "\n") - 1; rows != 0 {
		t.Fatalf("job log has %d rows, want none:\n%s", rows, log)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}

// A full disk under the job log stops the run with a clear error, and the
// log stays readable for --resume.
func TestFullJoblogDisk(t *testing.T) {
	t.Parallel()
	fs := tinyFS(t, "8k")
	dir := t.TempDir()
	jl := filepath.Join(fs, "jl")
	long := strings.Repeat("x", 400)
	_, stderr, code := runCLI(t, dir, "-j1", "--joblog", jl, "echo "+long+" {}", ":::", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16", "17", "18", "19", "20", "21", "22", "23", "24", "25")
	if code != 255 || !strings.Contains(stderr, "joblog "+jl) || !strings.Contains(stderr, "no space left on device") {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	// Free room, then resume: every job ends up logged exactly once.
	os.WriteFile(filepath.Join(fs, "pad"), nil, 0o644)
	b, _ := os.ReadFile(jl)
	os.WriteFile(filepath.Join(dir, "jl"), b, 0o644)
	_, stderr, code = runCLI(t, dir, "-j1", "--joblog", "jl", "--resume", "echo "+long+" {}", ":::", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16", "17", "18", "19", "20", "21", "22", "23", "24", "25")
	if code != 0 {
		t.Fatalf("resume after a full disk: exit %d\n%s", code, stderr)
	}
	seqs := joblogSeqs(t, filepath.Join(dir, "jl"))
	if len(seqs) != 25 {
		t.Fatalf("%d jobs logged after resume, want 25", len(seqs))
	}
}
