package main

import (
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// --nice N: the job, and what it starts, run at niceness N, read from the
// job's own /proc entry.
func TestNiceIsTheJobsNiceness(t *testing.T) {
	t.Parallel()
	cur, err := unix.Getpriority(unix.PRIO_PROCESS, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Linux's getpriority returns 20 - nice.
	want := max(20-cur, 0) + 3
	if want > 19 {
		t.Skip("already at the highest niceness")
	}
	job := `cut -d" " -f19 /proc/self/stat; sh -c 'cut -d" " -f19 /proc/self/stat' #`
	out, err := fanoutCmd(t.TempDir(), "--nice", strconv.Itoa(want), job, ":::", "1").Output()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Fields(string(out)); len(got) != 2 || got[0] != strconv.Itoa(want) || got[1] != strconv.Itoa(want) {
		t.Fatalf("the job and its child run at niceness %q, want %d", got, want)
	}
	// The test process itself is untouched: fanout ran in a process of its
	// own.
	if now, _ := unix.Getpriority(unix.PRIO_PROCESS, 0); now != cur {
		t.Fatalf("the test's own priority changed from %d to %d", cur, now)
	}
}
