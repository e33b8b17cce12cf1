package cli

import (
	"os"
	"syscall"
	"testing"
)

func TestTasksOf(t *testing.T) {
	t.Parallel()
	status := []byte("Name:\tsleep\nUid:\t1000\t1000\t1000\t1000\nGid:\t1000\t1000\t1000\t1000\nThreads:\t7\n")
	if n := tasksOf(status, 1000); n != 7 {
		t.Errorf("tasksOf(uid 1000) = %d, want 7", n)
	}
	if n := tasksOf(status, 0); n != 0 {
		t.Errorf("tasksOf(uid 0) = %d, want 0", n)
	}
}

// This process's own threads count among its user's tasks.
func TestUserTasksCountsThisProcess(t *testing.T) {
	n, ok := userTasks(os.Getuid(), 0)
	if !ok || n < 1 {
		t.Fatalf("userTasks = %d, %v; want at least this process", n, ok)
	}
}

func TestFitSlotsUnderOpenFileLimit(t *testing.T) {
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &old); err != nil {
		t.Fatal(err)
	}
	if fit := fitSlots(4); fit.slots != 4 || fit.short != "" {
		t.Fatalf("fitSlots(4) = %+v with ulimit -n %d; want all 4", fit, old.Cur)
	}
	low := old
	low.Cur = uint64(openFiles() + fdReserve + 3*fdsPerJob)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &low); err != nil {
		t.Fatal(err)
	}
	defer syscall.Setrlimit(syscall.RLIMIT_NOFILE, &old)
	fit := fitSlots(30)
	if fit.slots < 2 || fit.slots > 3 || fit.short != "files" {
		t.Fatalf("fitSlots(30) = %+v with room for about 3 jobs", fit)
	}
	if fit := fitSlots(1 << 22); fit.slots > 3 {
		t.Fatalf("fitSlots(1<<22) = %+v with room for about 3 jobs", fit)
	}
}
