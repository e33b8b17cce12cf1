//go:build unix

package proc

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The job table is memory shared with the reaper: one cache line per
// supervisor, holding the process group of the job it runs, or 0. A line
// each keeps workers on different CPUs from contending for one. Line 0 is the
// header: its first word is the high-water mark, how many slots were ever
// handed out, so that readers scan only those; its second is tableMagic.
const (
	lineBytes  = 64
	tableMagic = 0x6a6f6273 // tells the reaper its descriptor 4 is a job table
	// tableBytes makes room for 65535 supervisors; only the pages of the
	// slots used are ever touched, so a run with a few workers costs one.
	tableBytes = 4 << 20
	// busy is set in a slot while SignalRunning signals its group, so that
	// the group's leader is not reaped, and its pid reused, meanwhile.
	// Process ids stay below it on every system this builds for.
	busy = 1 << 30
)

type table struct {
	mem  []byte
	mu   sync.Mutex
	free []int // released slots, reused first
	n    int   // slots handed out so far
}

func newTable(mem []byte) *table { return &table{mem: mem} }

func (t *table) word(line int) *int32 {
	return (*int32)(unsafe.Pointer(&t.mem[line*lineBytes]))
}

func (t *table) magic() *int32 { return (*int32)(unsafe.Pointer(&t.mem[4])) }

// slot returns slot i's word.
func (t *table) slot(i int) *int32 { return t.word(i + 1) }

func (t *table) capacity() int { return len(t.mem)/lineBytes - 1 }

// highWater is how many slots may be in use. The reaper reads it from memory
// another process wrote, so it is bounded by the table's size.
func (t *table) highWater() int {
	return min(int(atomic.LoadInt32(t.word(0))), t.capacity())
}

// alloc hands out a free slot; false when the table is full.
func (t *table) alloc() (int, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if n := len(t.free); n > 0 {
		i := t.free[n-1]
		t.free = t.free[:n-1]
		return i, true
	}
	if t.n == t.capacity() {
		return 0, false
	}
	t.n++
	atomic.StoreInt32(t.word(0), int32(t.n))
	return t.n - 1, true
}

// release clears slot i and returns it to the free list.
func (t *table) release(i int) {
	clearSlot(t.slot(i), 0)
	t.mu.Lock()
	t.free = append(t.free, i)
	t.mu.Unlock()
}

// clearSlot empties a slot holding pgid (or anything, once that fails),
// waiting out a SignalRunning that is signalling its group.
func clearSlot(p *int32, pgid int) {
	if atomic.CompareAndSwapInt32(p, int32(pgid), 0) {
		return
	}
	for {
		v := atomic.LoadInt32(p)
		if v&busy == 0 && atomic.CompareAndSwapInt32(p, v, 0) {
			return
		}
		runtime.Gosched()
	}
}

// signal sends sig to every group in the table and returns how many it
// reached. Its callers serialize it.
func (t *table) signal(sig syscall.Signal) int {
	n := 0
	for i := range t.highWater() {
		p := t.slot(i)
		for {
			v := atomic.LoadInt32(p)
			if v <= 0 {
				break
			}
			if !atomic.CompareAndSwapInt32(p, v, v|busy) {
				continue // the job just ended, or the next one began
			}
			if syscall.Kill(-int(v), sig) == nil {
				n++
			}
			atomic.StoreInt32(p, v)
			break
		}
	}
	return n
}

// killAll is the reaper's last act: the table's owner is gone, so nothing
// changes it any more.
func (t *table) killAll() {
	for i := range t.highWater() {
		if v := atomic.LoadInt32(t.slot(i)) &^ busy; v > 0 {
			syscall.Kill(-int(v), syscall.SIGKILL)
		}
	}
}

// jobs is this process's job table, made with the first supervisor.
var jobs struct {
	once  sync.Once
	t     atomic.Pointer[table]
	err   error // why the reaper does not run
	sigMu sync.Mutex
}

func jobTable() *table {
	jobs.once.Do(func() {
		t, err := setupJobs()
		jobs.t.Store(t)
		jobs.err = err
	})
	return jobs.t.Load()
}

// setupJobs maps the job table and starts its reaper. A table without a
// reaper still serves SignalRunning.
func setupJobs() (*table, error) {
	fd, err := tableFile(tableBytes)
	if err != nil {
		return nil, fmt.Errorf("job table: %w", err)
	}
	defer unix.Close(fd)
	mem, err := unix.Mmap(fd, 0, tableBytes, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("job table: mmap: %w", err)
	}
	t := newTable(mem)
	*t.magic() = tableMagic
	return t, startReaper(fd)
}

// ReaperErr reports why the reaper could not be started, in which case a
// job's own process still dies with this process (Pdeathsig, where the
// system has it) but its descendants may not. It starts the reaper if no
// Supervisor has yet, so a command can warn before its first job.
func ReaperErr() error {
	jobTable()
	return jobs.err
}

// SignalRunning sends sig to the process group of every job running now
// under a Supervisor of this process, and returns how many groups it
// reached. A job starting meanwhile may miss it; one ending meanwhile is
// either signalled before its leader is reaped or not at all, so no
// unrelated process that reuses a pid is ever hit. It is safe to call from
// any goroutine.
func SignalRunning(sig syscall.Signal) int {
	t := jobs.t.Load()
	if t == nil {
		return 0
	}
	jobs.sigMu.Lock()
	defer jobs.sigMu.Unlock()
	return t.signal(sig)
}

// A jobSlot is a supervisor's entry in the job table. The zero jobSlot, for
// a supervisor that got none (the table is full or could not be made),
// tracks nothing: its jobs have Pdeathsig only.
type jobSlot struct {
	p *int32
	i int
}

func newJobSlot() jobSlot {
	t := jobTable()
	if t == nil {
		return jobSlot{}
	}
	i, ok := t.alloc()
	if !ok {
		return jobSlot{}
	}
	return jobSlot{p: t.slot(i), i: i}
}

// track records the group of a job just started: from here on, the reaper
// kills it if this process dies. One atomic store, no system call.
func (s jobSlot) track(pgid int) {
	if s.p != nil {
		atomic.StoreInt32(s.p, int32(pgid))
	}
}

// untrack forgets the group. It must come after the group has been killed
// and before its leader is reaped: until then the pid cannot be reused, so
// the table never names an unrelated process.
func (s jobSlot) untrack(pgid int) {
	if s.p != nil {
		clearSlot(s.p, pgid)
	}
}

func (s jobSlot) release() {
	if s.p != nil {
		jobs.t.Load().release(s.i)
	}
}
