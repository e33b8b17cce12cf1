package cli

import (
	"errors"
	"io"
	"os"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/fanoutdev/fanout/internal/pipe"
)

// roundRobin is --round-robin: one long-running job per slot, fed the
// blocks by one dealer, as GNU parallel deals them. Job i gets block i;
// each block after those goes to the next job in turn, skipping a job
// whose pipe has not taken all of its last block yet (with -k no job is
// skipped: the dealer waits for it, so the deal is the same every run).
// Small blocks therefore come out even. The header goes to each job once,
// before its first block.
type roundRobin struct {
	blocks blockSource
	slots  int
	wait   bool // -k: never skip a job
	seq    int64
	jobs   []*rrJob
	turn   int            // the queue starts at jobs[turn]
	reg    sync.WaitGroup // the jobs that have their pipe
	done   bool
	mu     sync.Mutex
	err    error // reading the input failed
}

// rrJob is one job's pipe, as the dealer writes to it.
type rrJob struct {
	w     *os.File
	rc    syscall.RawConn
	fd    int
	hdr   []byte // the rest of the header still to write
	data  []byte // the rest of the block still to write
	block *pipe.Block
	buf   []byte // a file's block, read here: it is written piece by piece
	err   error  // a write failed: the job takes no more
	over  chan error
	once  sync.Once       // the job got its pipe, or is gone without
	reg   *sync.WaitGroup // the dealer's wait for the pipes
}

// next starts a job for each of the first blocks, up to one per slot; once
// those are started the dealer deals the rest.
func (rr *roundRobin) next() (*jobData, error) {
	if rr.done {
		return nil, io.EOF
	}
	if len(rr.jobs) == rr.slots {
		rr.done = true
		go rr.deal()
		return nil, io.EOF
	}
	b, err := rr.blocks.Next()
	if err != nil {
		rr.done = true
		if errors.Is(err, io.EOF) {
			// Fewer blocks than slots: every job has its one block.
			go rr.deal()
			return nil, io.EOF
		}
		return nil, err
	}
	j := &rrJob{over: make(chan error, 1), hdr: b.Header, reg: &rr.reg}
	j.set(b)
	rr.jobs = append(rr.jobs, j)
	rr.reg.Add(1)
	rr.seq++
	return &jobData{seq: rr.seq, feed: rr.feed(j), over: j.gone}, nil
}

// gone is the job over: one that never got to its pipe (the run ended
// before it started) counts as stopped reading, so that the dealer does
// not wait for it.
func (j *rrJob) gone() {
	j.once.Do(func() {
		j.err = errJobGone
		j.reg.Done()
	})
}

var errJobGone = errors.New("the job is over")

// feed hands the job's pipe to the dealer and waits until the dealer is
// done with it.
func (rr *roundRobin) feed(j *rrJob) func(w *os.File) error {
	return func(w *os.File) error {
		first := false
		j.once.Do(func() {
			first = true
			j.w = w
			j.rc, j.err = w.SyscallConn()
			if j.err == nil {
				j.err = j.rc.Control(func(fd uintptr) { j.fd = int(fd) })
			}
			j.reg.Done()
		})
		if !first {
			return nil // a job run again (--retries) gets no more blocks
		}
		return <-j.over
	}
}

// deal deals the blocks after the first ones, then finishes the writes.
func (rr *roundRobin) deal() {
	rr.reg.Wait()
	q := rr.jobs
	for _, j := range q {
		j.write(rr.wait) // the first blocks
	}
	// The queue as GNU parallel's stands after the first blocks: the last
	// job first, so that the next turn starts at job 1.
	rr.turn = len(q) - 1
	for {
		b, err := rr.blocks.Next()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				rr.mu.Lock()
				rr.err = err
				rr.mu.Unlock()
			}
			break
		}
		rr.pass(q, b)
	}
	rr.flush(q)
	for _, j := range rr.jobs {
		j.over <- j.err
	}
}

// pass gives b to the first job in the queue, turned once, that has
// written all of its last block; meanwhile it writes what the others can
// take. It gives b up when every job has stopped reading.
func (rr *roundRobin) pass(q []*rrJob, b *pipe.Block) {
	for {
		rr.turn = (rr.turn + 1) % len(q)
		for {
			wrote := false
			live := false
			for k := range q {
				j := q[(rr.turn+k)%len(q)]
				if j.err != nil {
					continue
				}
				live = true
				if j.pending() {
					wrote = j.write(rr.wait) || wrote
					continue
				}
				j.set(b)
				j.write(rr.wait)
				return
			}
			if !live {
				b.Release()
				return
			}
			if !wrote {
				break
			}
		}
		waitWritable(q)
	}
}

// flush writes what the jobs still have of their blocks.
func (rr *roundRobin) flush(q []*rrJob) {
	for {
		wrote, pending := false, false
		for _, j := range q {
			if j.err == nil && j.pending() {
				wrote = j.write(rr.wait) || wrote
				pending = pending || j.pending()
			}
		}
		if !pending {
			return
		}
		if !wrote {
			waitWritable(q)
		}
	}
}

// set makes b the job's block, its bytes those still to write.
func (j *rrJob) set(b *pipe.Block) {
	j.block = b
	if b.File == nil {
		j.data = b.Data
		return
	}
	// A file's block is read in here, into the job's buffer, used again.
	if int64(cap(j.buf)) < b.Len {
		j.buf = make([]byte, b.Len)
	}
	n, err := b.File.ReadAt(j.buf[:b.Len], b.Off)
	if err != nil && !errors.Is(err, io.EOF) {
		j.err = err
	}
	j.data = j.buf[:n]
}

func (j *rrJob) pending() bool { return len(j.hdr)+len(j.data) > 0 }

// write writes what the pipe takes of the job's block, without waiting
// unless wait is set, and reports whether it wrote anything. The block is
// released once written: its bytes are in the pipe, copied.
func (j *rrJob) write(wait bool) bool {
	wrote := false
	for j.pending() && j.err == nil {
		seg := &j.data
		if len(j.hdr) > 0 {
			seg = &j.hdr
		}
		n, err := j.writeSome(*seg, wait)
		*seg = (*seg)[n:]
		wrote = wrote || n > 0
		if errors.Is(err, syscall.EAGAIN) {
			return wrote
		}
		if err != nil {
			j.err = err
		}
	}
	if j.block != nil && (!j.pending() || j.err != nil) {
		j.block.Release()
		j.block, j.hdr, j.data = nil, nil, nil
	}
	return wrote
}

// writeSome is one write of b: through the file, which waits for room,
// or straight to the descriptor, which does not.
func (j *rrJob) writeSome(b []byte, wait bool) (int, error) {
	if wait {
		return j.w.Write(b)
	}
	var n int
	var err error
	if cerr := j.rc.Write(func(fd uintptr) bool {
		for {
			n, err = unix.Write(int(fd), b)
			if !errors.Is(err, syscall.EINTR) {
				return true
			}
		}
	}); cerr != nil {
		return 0, cerr
	}
	return max(n, 0), err
}

// waitWritable waits until the pipe of a job with bytes still to write
// has room, or its reader is gone.
func waitWritable(q []*rrJob) {
	var fds []unix.PollFd
	for _, j := range q {
		if j.err == nil && j.pending() {
			fds = append(fds, unix.PollFd{Fd: int32(j.fd), Events: unix.POLLOUT})
		}
	}
	if len(fds) == 0 {
		return
	}
	for {
		if _, err := unix.Poll(fds, -1); !errors.Is(err, syscall.EINTR) {
			return
		}
	}
}
