package fanout_test

import (
	"context"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/fanoutdev/fanout"
)

// lowerOpenFiles leaves this process room for only spare more descriptors
// until the test ends.
func lowerOpenFiles(t *testing.T, spare int) {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("cannot count open descriptors: %v", err)
	}
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &old); err != nil {
		t.Fatal(err)
	}
	low := old
	low.Cur = uint64(len(fds) + spare)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &low); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Setrlimit(syscall.RLIMIT_NOFILE, &old) })
}

// In a process truly short of descriptors, workers and jobs that cannot
// get theirs wait for others to finish, and every job succeeds, with all
// of its input: a start that failed consumed none of it.
func TestPoolShrinksAtOpenFileLimit(t *testing.T) {
	const n = 60
	var jobs []*fanout.Job
	for i := 1; i <= n; i++ {
		jobs = append(jobs, withStdin(helper(t, "cat", "-"), strconv.Itoa(i)+"\n"))
	}
	lowerOpenFiles(t, 24)
	recs := runAll(t, &fanout.Pool{Limit: 30}, jobs...)
	checkAllSucceeded(t, recs, n)
}

// Whichever descriptor a job runs short of, a start that failed consumed
// none of the job's input.
func TestPoolRetriesKeepInput(t *testing.T) {
	for spare := 4; spare <= 40; spare++ {
		t.Run(strconv.Itoa(spare), func(t *testing.T) {
			const n = 12
			var jobs []*fanout.Job
			for i := 1; i <= n; i++ {
				// cat, not the test helper: hundreds of starts of a
				// race-enabled binary would cost seconds here.
				jobs = append(jobs, &fanout.Job{Args: []string{"cat"}, Stdin: strings.NewReader(strconv.Itoa(i) + "\n")})
			}
			lowerOpenFiles(t, spare)
			c := &collector{}
			p := &fanout.Pool{Limit: 4, Sink: c}
			for _, j := range jobs {
				p.Go(context.Background(), j)
			}
			p.Wait()
			for _, r := range c.recs {
				if r.err == nil && r.stdout != strconv.Itoa(int(r.seq))+"\n" {
					t.Fatalf("job %d printed %q", r.seq, r.stdout)
				}
			}
		})
	}
}
