package cli

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/fanoutdev/fanout"
)

// ParseSize parses a size as GNU parallel writes one: a number with an
// optional unit, K M G T P E (and Ki Mi ...) for powers of 1024, k m g t p
// e for powers of 1000.
func ParseSize(option, s string) (int64, error) {
	bad := fmt.Errorf("%s %q: not a size (a number with K, M, G, T for 1024s, or k, m, g, t for 1000s, such as 2G)", option, s)
	num := strings.TrimRight(s, "KMGTPEkmgtpeiI")
	unit := s[len(num):]
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, bad
	}
	if unit != "" {
		letter, binary := unit[:1], false
		switch rest := unit[1:]; {
		case rest == "i" || rest == "I":
			binary = true
		case rest != "":
			return 0, bad
		}
		i := strings.Index("KMGTPE", strings.ToUpper(letter))
		if letter == strings.ToUpper(letter) {
			binary = true
		}
		base := 1000.0
		if binary {
			base = 1024
		}
		v *= math.Pow(base, float64(i+1))
	}
	if v > math.MaxInt64/2 {
		return 0, bad
	}
	return int64(v), nil
}

// ParseLoad turns --load into the load at which no job starts, as GNU
// parallel reads it: N (or N.N) processes, N% of the cores, +N or -N
// relative to the cores; anything under 0.01 is 0.01.
func ParseLoad(spec string, ncpu int) (float64, error) {
	bad := fmt.Errorf("--load %q: not a load (use N, N%%, +N or -N, as for -j)", spec)
	var v float64
	switch {
	case strings.HasSuffix(spec, "%"):
		p, err := strconv.ParseUint(spec[:len(spec)-1], 10, 31)
		if err != nil {
			return 0, bad
		}
		v = float64(ncpu) * float64(p) / 100
	case strings.HasPrefix(spec, "+") || strings.HasPrefix(spec, "-"):
		n, err := strconv.ParseUint(spec[1:], 10, 31)
		if err != nil {
			return 0, bad
		}
		if spec[0] == '-' {
			v = float64(ncpu) - float64(n)
		} else {
			v = float64(ncpu) + float64(n)
		}
	default:
		f, err := strconv.ParseFloat(spec, 64)
		if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) || strings.ContainsAny(spec, "eExXpP_") {
			return 0, bad
		}
		v = f
	}
	return max(v, 0.01), nil
}

// admission decides when the next job may start, for --load, --memfree,
// --memsuspend and --noswap. It reads the machine's state on a ticker,
// off the jobs' path: a worker about to start a job reads one atomic flag,
// and only while the flag is down does it wait, for the flag or the end of
// the run. On the same ticker it acts on memory pressure: --memfree kills
// the youngest job when less than half of it is free (a job so killed
// fails, and --retries runs it again, as in GNU parallel), and
// --memsuspend stops the youngest jobs while memory is short and continues
// them, oldest first, once it is not.
type admission struct {
	c        *console
	load     float64 // --load's limit; 0: none
	memLimit int64   // no job starts with less free: --memfree plus --memsuspend
	memFree  int64   // --memfree
	suspend  int64   // --memsuspend
	noswap   bool
	limit    *limitCheck // --limit; nil: none
	m        machine
	interval time.Duration

	open   atomic.Bool
	mu     sync.Mutex
	opened chan struct{} // closed while open is true
	quit   chan struct{}
	done   chan struct{}

	// Owned by the ticker's goroutine.
	swapIn, swapOut uint64
	swapKnown       bool
	suspended       map[int]bool // process groups stopped for memory
	killMu          sync.Mutex   // killYoungest's: the workers call it too (--limit)
	killing         map[int]bool // process groups being terminated
	warned          bool
	termSeq         []fanout.TermStep
}

// machine is what admission reads of the machine; each system has its own
// (admission_linux.go, admission_bsd.go), and tests may give another.
type machine interface {
	load() (float64, error)
	memFree() (int64, error)
	swapped() (in, out uint64, err error)
	// jobGroups lists the process groups of this process's jobs, oldest
	// first.
	jobGroups() ([]int, error)
}

// admissionInterval is how often the machine is read. GNU parallel reads
// the load about once a second and the swap activity every ten; a shorter
// interval starts a job sooner once the machine has room for it.
const admissionInterval = 250 * time.Millisecond

// admissionFor builds the admission the options ask for, or nil without
// any of them. It reads the machine once before returning, so that the
// first job already waits if it must, and fails with one clear line where
// the system does not tell what an option needs.
func admissionFor(o *Options, c *console, termSeq []fanout.TermStep, shell string) (*admission, error) {
	if o.Load == "" && o.MemFree == 0 && o.MemSuspend == 0 && !o.NoSwap && o.Limit == "" {
		return nil, nil
	}
	a, err := newAdmission(o, c, newMachine(), termSeq)
	if err != nil {
		return nil, err
	}
	if o.Limit != "" {
		if a.limit, err = newLimitCheck(o.Limit, shell, c); err != nil {
			return nil, err
		}
	}
	if o.Load != "" {
		if _, err := a.m.load(); err != nil {
			return nil, fmt.Errorf("--load: %w", err)
		}
	}
	if a.memLimit > 0 {
		if _, err := a.m.memFree(); err != nil {
			return nil, fmt.Errorf("--memfree, --memsuspend: %w", err)
		}
	}
	if a.suspend > 0 {
		if _, err := a.m.jobGroups(); err != nil {
			return nil, fmt.Errorf("--memsuspend: %w", err)
		}
	}
	if a.noswap {
		in, out, err := a.m.swapped()
		if err != nil {
			return nil, fmt.Errorf("--noswap: %w", err)
		}
		a.swapIn, a.swapOut = in, out
	}
	a.tick()
	a.quit, a.done = make(chan struct{}), make(chan struct{})
	go a.run()
	return a, nil
}

// newAdmission is an admission reading m, not yet started.
func newAdmission(o *Options, c *console, m machine, termSeq []fanout.TermStep) (*admission, error) {
	a := &admission{c: c, memFree: o.MemFree, suspend: o.MemSuspend, noswap: o.NoSwap,
		memLimit: o.MemFree + o.MemSuspend, m: m, interval: admissionInterval,
		opened: make(chan struct{}), suspended: map[int]bool{}, killing: map[int]bool{}, termSeq: termSeq}
	if o.Load != "" {
		var err error
		if a.load, err = ParseLoad(o.Load, runtime.NumCPU()); err != nil {
			return nil, usageError{err}
		}
	}
	return a, nil
}

// wait returns once a job may start, or context.Canceled once stopped is
// closed: the job did not start, and the run forgets it.
func (a *admission) wait(stopped <-chan struct{}) error {
	if a == nil {
		return nil
	}
	if err := a.waitOpen(stopped); err != nil {
		return err
	}
	return a.waitLimit(stopped)
}

// waitOpen waits for the gate the machine's readings open.
func (a *admission) waitOpen(stopped <-chan struct{}) error {
	if a.open.Load() {
		return nil
	}
	for {
		a.mu.Lock()
		if a.open.Load() {
			a.mu.Unlock()
			return nil
		}
		ch := a.opened
		a.mu.Unlock()
		select {
		case <-ch:
		case <-stopped:
			return context.Canceled
		}
	}
}

// waitLimit runs --limit's check before the job starts, as GNU parallel
// does, until it says start: while it says wait, it is asked again each
// interval; when it says terminate, the youngest job is.
func (a *admission) waitLimit(stopped <-chan struct{}) error {
	if a.limit == nil {
		return nil
	}
	var t *time.Timer
	for {
		switch a.limit.run() {
		case 0:
			return nil
		case 2:
			a.killYoungest("--limit")
		}
		if t == nil {
			t = time.NewTimer(a.interval)
			defer t.Stop()
		} else {
			t.Reset(a.interval)
		}
		select {
		case <-t.C:
		case <-stopped:
			return context.Canceled
		}
	}
}

func (a *admission) run() {
	defer close(a.done)
	t := time.NewTicker(a.interval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			a.tick()
		case <-a.quit:
			return
		}
	}
}

// close stops the ticker and continues any job it had stopped.
func (a *admission) close() {
	if a == nil {
		return
	}
	if a.quit != nil {
		close(a.quit)
		<-a.done
	}
	for g := range a.suspended {
		syscall.Kill(-g, syscall.SIGCONT)
	}
	a.limit.close()
}

// tick reads the machine, opens or closes the gate, and acts on memory
// pressure.
func (a *admission) tick() {
	ok := true
	if a.load > 0 {
		// An unknown load counts as too high, as in GNU parallel.
		l, err := a.m.load()
		ok = err == nil && l < a.load
	}
	if a.memLimit > 0 {
		free, err := a.m.memFree()
		if err == nil {
			ok = ok && free >= a.memLimit
			a.pressure(free)
		} else {
			ok = false
		}
	}
	if a.noswap {
		ok = a.notSwapping() && ok
	}
	if a.limit != nil && a.limit.run() == 2 {
		// Also while no job waits to start, as GNU parallel checks.
		a.killYoungest("--limit")
	}
	a.setOpen(ok)
}

func (a *admission) setOpen(ok bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	switch {
	case ok && !a.open.Load():
		a.open.Store(true)
		close(a.opened)
	case !ok && a.open.Load():
		a.opened = make(chan struct{})
		a.open.Store(false)
	}
}

// notSwapping reports whether the machine swapped in and out since the
// last reading: GNU parallel's measure is the product of the two.
func (a *admission) notSwapping() bool {
	in, out, err := a.m.swapped()
	if err != nil {
		return false
	}
	active := (in-a.swapIn)*(out-a.swapOut) > 0
	a.swapIn, a.swapOut = in, out
	return !active
}

// pressure kills or suspends jobs as the free memory asks.
func (a *admission) pressure(free int64) {
	if a.memFree > 0 && free < a.memFree/2 {
		a.killYoungest("--memfree")
	}
	if a.suspend > 0 {
		a.suspendYoung(free)
	}
}

// killYoungest terminates the youngest job not being terminated already,
// with the term sequence, as GNU parallel does when less than half of
// --memfree is free. One job per reading: the next reading sees what its
// end freed.
//
// option is the option that asks: --memfree, or --limit, whose check runs
// on the workers too, so the state here has a lock of its own.
func (a *admission) killYoungest(option string) {
	a.killMu.Lock()
	defer a.killMu.Unlock()
	groups, err := a.m.jobGroups()
	if err != nil {
		if !a.warned {
			a.warned = true
			a.c.warnf("warning: %s: cannot terminate a job: %v", option, err)
		}
		return
	}
	for i := len(groups) - 1; i >= 0; i-- {
		g := groups[i]
		if a.killing[g] {
			continue
		}
		a.killing[g] = true
		if option == "--limit" {
			a.c.warnf("--limit %q says so: terminating the youngest job (process group %d)", a.limit.spec, g)
		} else {
			a.c.warnf("less than half of --memfree is free: terminating the youngest job (process group %d)", g)
		}
		go func() {
			terminateGroup(g, a.termSeq)
		}()
		return
	}
	// Forget the groups that ended, so that the map stays small.
	live := map[int]bool{}
	for _, g := range groups {
		live[g] = true
	}
	for g := range a.killing {
		if !live[g] {
			delete(a.killing, g)
		}
	}
}

// terminateGroup sends the term sequence to a process group until it is
// gone.
func terminateGroup(g int, seq []fanout.TermStep) {
	for _, st := range seq {
		if syscall.Kill(-g, st.Signal) != nil {
			return // gone
		}
		deadline := time.Now().Add(st.Wait)
		for time.Now().Before(deadline) {
			if syscall.Kill(-g, 0) != nil {
				return
			}
			time.Sleep(min(5*time.Millisecond, time.Until(deadline)))
		}
	}
}

// suspendYoung is --memsuspend, as GNU parallel does it: with less than
// twice the size free, the jobs beyond the oldest few are stopped, fewer
// the less is free (one alone under the size); with more, one stopped job
// is continued per reading, the oldest first.
func (a *admission) suspendYoung(free int64) {
	groups, err := a.m.jobGroups()
	if err != nil || len(groups) == 0 {
		return
	}
	live := map[int]bool{}
	for _, g := range groups {
		live[g] = true
	}
	for g := range a.suspended {
		if !live[g] {
			delete(a.suspended, g)
		}
	}
	if free >= 2*a.suspend {
		for _, g := range groups {
			if a.suspended[g] {
				syscall.Kill(-g, syscall.SIGCONT)
				delete(a.suspended, g)
				return
			}
		}
		return
	}
	keep := 1
	if r := 2 - float64(free)/float64(a.suspend); r > 0 {
		keep = int(math.Min(1/r, float64(len(groups)-1))) + 1
	}
	for i, g := range groups {
		switch {
		case i < keep && a.suspended[g]:
			syscall.Kill(-g, syscall.SIGCONT)
			delete(a.suspended, g)
		case i >= keep && !a.suspended[g]:
			if syscall.Kill(-g, syscall.SIGSTOP) == nil {
				a.suspended[g] = true
			}
		}
	}
}
