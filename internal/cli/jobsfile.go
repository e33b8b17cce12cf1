package cli

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"time"
)

// jobsFileMax is the most job slots a -j FILE may ask for during a run,
// as many as -j 0 gives: the pool is sized for it at the start, the file
// saying how many of them may run at once.
const jobsFileMax = 1 << 12

// slotGate is -j FILE: the number of job slots is what the file says, read
// again whenever it has changed, as GNU parallel reads it before starting
// each job. Each job waits at the gate, before it is handed to the pool,
// while as many run as the file allows.
type slotGate struct {
	path string
	ncpu int
	warn func(format string, args ...any)

	mu      sync.Mutex
	limit   int
	mtime   time.Time
	running int
	changed chan struct{} // closed and renewed when a job ends
}

// jobsFile reports whether -j's value names a file rather than a number,
// as GNU parallel decides: it is not a number of jobs and the file exists.
func jobsFile(spec string, ncpu int) bool {
	if _, err := ResolveJobs(spec, ncpu); err == nil || spec == "" {
		return false
	}
	st, err := os.Stat(spec)
	return err == nil && !st.IsDir()
}

// newSlotGate reads the file a first time; its number must be good then.
func newSlotGate(path string, ncpu int, warn func(string, ...any)) (*slotGate, error) {
	g := &slotGate{path: path, ncpu: ncpu, warn: warn, changed: make(chan struct{})}
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("-j %s: %w", path, err)
	}
	if g.limit, err = readJobsFile(path, ncpu); err != nil {
		return nil, err
	}
	g.mtime = st.ModTime()
	return g, nil
}

// readJobsFile reads the number of job slots from path: what -j takes,
// on a line of its own or without a newline.
func readJobsFile(path string, ncpu int) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("-j %s: %w", path, err)
	}
	spec := strings.TrimSuffix(string(b), "\n")
	n, err := ResolveJobs(spec, ncpu)
	if err != nil || spec == "" {
		return 0, fmt.Errorf("-j %s: the file holds %q, not a number of jobs (write N, N%%, +N or -N in it)", path, spec)
	}
	return min(n, jobsFileMax), nil
}

// current is the limit now: the file is read again when its modification
// time has changed. A file that became unreadable or holds no number
// leaves the limit as it was, with a warning.
func (g *slotGate) current() int {
	st, err := os.Stat(g.path)
	if err != nil || st.ModTime().Equal(g.mtime) {
		return g.limit
	}
	g.mtime = st.ModTime()
	n, err := readJobsFile(g.path, g.ncpu)
	if err != nil {
		g.warn("warning: %v; keeping %d job slots", oneLine(err), g.limit)
		return g.limit
	}
	g.limit = n
	return n
}

// enter waits until fewer jobs run than the file allows, then counts one
// more; it reports false if stopped closed first.
func (g *slotGate) enter(stopped <-chan struct{}) bool {
	if g == nil {
		return true
	}
	g.mu.Lock()
	for g.running >= g.current() {
		ch := g.changed
		g.mu.Unlock()
		// The file is looked at again when a job ends, and every second
		// meanwhile, so that raising the number starts jobs at once.
		t := time.NewTimer(time.Second)
		select {
		case <-ch:
		case <-t.C:
		case <-stopped:
			t.Stop()
			return false
		}
		t.Stop()
		g.mu.Lock()
	}
	g.running++
	g.mu.Unlock()
	return true
}

// leave counts a job that entered as over.
func (g *slotGate) leave() {
	if g == nil {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.running--
	close(g.changed)
	g.changed = make(chan struct{})
}
