//go:build unix

package sem

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Sem is a semaphore, by the directory that holds its slots. Its zero
// value is not usable: call Open.
type Sem struct {
	dir string
}

// Open returns the semaphore called name under root (GNU parallel's
// ~/.parallel/semaphores), creating its directory if need be. The name is
// written into the directory's name as GNU parallel writes it: letters,
// digits, '-' and '_' as they are, any other byte in hex.
func Open(root, name string) (*Sem, error) {
	dir := filepath.Join(root, "id-"+Encode(name))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("semaphore directory: %w", err)
	}
	return &Sem{dir: dir}, nil
}

// Encode turns a semaphore's name into the part of a file name GNU
// parallel makes of it.
func Encode(name string) string {
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%02x", c)
		}
	}
	return b.String()
}

// Dir returns the semaphore's directory.
func (s *Sem) Dir() string { return s.dir }

// Slot is a held slot of a semaphore: an open, locked file. It is held as
// long as any process has that file open, which lets a process hand its
// slot to a child it starts (File, then ExtraFiles).
type Slot struct {
	f *os.File
}

// FromFile returns the slot held through f, a file a parent process handed
// on. It marks f close-on-exec, so that the programs this process runs do
// not hold the slot after it is gone.
func FromFile(f *os.File) *Slot {
	unix.CloseOnExec(int(f.Fd()))
	return &Slot{f: f}
}

// File returns the slot's open file.
func (sl *Slot) File() *os.File { return sl.f }

// Release gives the slot back. Others see it free at once.
func (sl *Slot) Release() error {
	if sl == nil || sl.f == nil {
		return nil
	}
	err := sl.f.Close()
	sl.f = nil
	return err
}

// lockDir takes the semaphore's lock for looking at its slots, waiting for
// whoever has it: it is held only for that look, never while a job runs.
func (s *Sem) lockDir() (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(s.dir, "lock"), os.O_RDWR|os.O_CREATE, 0o666)
	if err != nil {
		return nil, fmt.Errorf("semaphore lock: %w", err)
	}
	for {
		err = unix.Flock(int(f.Fd()), unix.LOCK_EX)
		if !errors.Is(err, unix.EINTR) {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("semaphore lock: %w", err)
	}
	return f, nil
}

// scan looks at every slot file under the lock: it returns how many are
// held, and the lowest free one, locked, or nil with the next unused
// number when none is free. The caller holds the directory lock.
func (s *Sem) scan() (held int, free *os.File, next int, err error) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return 0, nil, 0, fmt.Errorf("semaphore: %w", err)
	}
	nums := map[int]bool{}
	top := 0
	for _, e := range entries {
		if n, ok := strings.CutPrefix(e.Name(), "slot-"); ok {
			if k, err := strconv.Atoi(n); err == nil && k > 0 {
				nums[k] = true
				top = max(top, k)
			}
		}
	}
	next = top + 1
	for k := 1; k <= top; k++ {
		if !nums[k] {
			next = min(next, k)
			continue
		}
		f, err := os.OpenFile(s.slotPath(k), os.O_RDWR, 0)
		if err != nil {
			next = min(next, k) // removed by hand meanwhile
			continue
		}
		if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
			f.Close()
			held++
			continue
		}
		if free == nil {
			free = f
		} else {
			f.Close()
		}
	}
	return held, free, next, nil
}

func (s *Sem) slotPath(k int) string { return filepath.Join(s.dir, "slot-"+strconv.Itoa(k)) }

// newSlot creates slot file k and locks it. The caller holds the
// directory lock, so no one else locks it first.
func (s *Sem) newSlot(k int) (*os.File, error) {
	f, err := os.OpenFile(s.slotPath(k), os.O_RDWR|os.O_CREATE, 0o666)
	if err != nil {
		return nil, fmt.Errorf("semaphore slot: %w", err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("semaphore slot: %w", err)
	}
	return f, nil
}

// TryAcquire takes a slot if fewer than n are held, and reports whether
// it did. With force it takes one whatever the number held (a timed-out
// wait that takes the semaphore anyway).
func (s *Sem) TryAcquire(n int, force bool) (*Slot, bool, error) {
	lock, err := s.lockDir()
	if err != nil {
		return nil, false, err
	}
	defer lock.Close()
	held, free, next, err := s.scan()
	if err != nil {
		return nil, false, err
	}
	if held >= n && !force {
		if free != nil {
			free.Close()
		}
		return nil, false, nil
	}
	if free == nil {
		if free, err = s.newSlot(next); err != nil {
			return nil, false, err
		}
	}
	return &Slot{f: free}, true, nil
}

// Held returns how many slots are held now.
func (s *Sem) Held() (int, error) {
	lock, err := s.lockDir()
	if err != nil {
		return 0, err
	}
	defer lock.Close()
	held, free, _, err := s.scan()
	if free != nil {
		free.Close()
	}
	return held, err
}

// Acquire waits until fewer than n slots are held and takes one. It
// returns ctx's error if ctx ends first.
func (s *Sem) Acquire(ctx context.Context, n int) (*Slot, error) {
	var sl *Slot
	err := s.poll(ctx, func() (bool, error) {
		var ok bool
		var err error
		sl, ok, err = s.TryAcquire(n, false)
		return ok, err
	})
	return sl, err
}

// WaitFree waits until no slot is held (--wait), or ctx ends.
func (s *Sem) WaitFree(ctx context.Context) error {
	return s.poll(ctx, func() (bool, error) {
		n, err := s.Held()
		return n == 0, err
	})
}

// poll calls try until it reports done, pausing between calls: a few
// milliseconds at first, then longer, up to a tenth of a second, with a
// random share so that waiters do not all look at once. flock(2) cannot
// wait for one of several files, so waiting is looking again.
func (s *Sem) poll(ctx context.Context, try func() (bool, error)) error {
	pause := time.Millisecond
	t := time.NewTimer(0)
	defer t.Stop()
	<-t.C
	for {
		ok, err := try()
		if ok || err != nil {
			return err
		}
		t.Reset(pause/2 + rand.N(pause/2+1))
		select {
		case <-t.C:
		case <-ctx.Done():
			return ctx.Err()
		}
		pause = min(pause*3/2, 100*time.Millisecond)
	}
}
