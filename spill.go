package fanout

import (
	"io"
	"os"
	"sync"
)

// spillFiles keeps the spill files of delivered results for the next job
// that spills to write over, instead of closing them. A file system does
// much more to write a new page than to write over one it has: giving the
// pages back when a file closes, and taking new ones (block reservations,
// extents, memory accounting) for the next file, costs several times the
// copy itself, so a run whose jobs print many MiB spends most of its time
// there. What a reused file holds beyond its new length is never read:
// an Output reads its own length only.
//
// The files kept are bounded in number and in size, so that a run holds
// no more of the temporary directory, or of the page cache, than a few
// jobs' worth: a file larger than what is left of the budget is closed.
type spillFiles struct {
	mu     sync.Mutex
	free   []keptFile
	bytes  int64 // the sizes of the files in free
	closed bool  // the pool is done: files are closed as they come back
}

type keptFile struct {
	f    *os.File
	size int64
}

const (
	// keepFiles bounds the number of files kept, and with it the
	// descriptors they hold.
	keepFiles = 8
	// keepBytes bounds their total size.
	keepBytes = 1 << 30
)

// get returns a kept file, positioned at its start, with its size; nil if
// there is none.
func (s *spillFiles) get() (*os.File, int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.free) > 0 {
		k := s.free[len(s.free)-1]
		s.free = s.free[:len(s.free)-1]
		s.bytes -= k.size
		if _, err := k.f.Seek(0, io.SeekStart); err == nil {
			return k.f, k.size
		}
		k.f.Close()
	}
	return nil, 0
}

// put keeps f, of the given size, for another job, or closes it if the
// budget is spent or s is nil.
func (s *spillFiles) put(f *os.File, size int64) {
	if s == nil {
		f.Close()
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || len(s.free) >= keepFiles || s.bytes+size > keepBytes {
		f.Close()
		return
	}
	s.free = append(s.free, keptFile{f, size})
	s.bytes += size
}

// close closes the files kept, and those given back from now on: results
// a sink kept may be released after the pool is done.
func (s *spillFiles) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range s.free {
		k.f.Close()
	}
	s.free, s.bytes, s.closed = nil, 0, true
}
