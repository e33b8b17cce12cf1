package proc

import (
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func threads(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "Threads:"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("no Threads line in /proc/self/status")
	return 0
}

// Supervising a running job holds no OS thread: a process limit that counts
// threads must not be spent on waiting.
func TestRunningJobsHoldNoThreads(t *testing.T) {
	const n = 30
	before := threads(t)
	var ready, done sync.WaitGroup
	ready.Add(n)
	sups := make([]*Supervisor, n)
	for i := range sups {
		sups[i] = newSupervisor(t)
	}
	errs := make(chan error, n)
	for _, s := range sups {
		done.Add(1)
		go func() {
			defer done.Done()
			out := &onReady{ready: ready.Done}
			_, err := s.Run(shell("echo ready; exec sleep 30"), out, out, 0, quick, time.Second)
			out.Write([]byte("ready")) // a job that failed to start must not hang the test
			errs <- err
		}()
	}
	ready.Wait()
	during := threads(t)
	for _, s := range sups {
		s.Wake()
	}
	done.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if during-before >= n/2 {
		t.Fatalf("%d threads with %d jobs running, %d before", during, n, before)
	}
}
