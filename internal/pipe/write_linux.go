//go:build linux

package pipe

import (
	"errors"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// writePipe lends the block's pages to the pipe f with vmsplice, or moves a
// file's block into it with splice. It reports done false, having written
// nothing, when f is not a pipe the poller knows, for the portable path to
// take over.
func (b *Block) writePipe(f *os.File) (int64, error, bool) {
	return b.writePipeWait(f, true)
}

// prefill writes what the pipe f takes now without waiting.
func (b *Block) prefill(f *os.File) int64 {
	n, _, _ := b.writePipeWait(f, false)
	return n
}

// writePipeWait is writePipe; without wait it stops once the pipe is full.
func (b *Block) writePipeWait(f *os.File, wait bool) (int64, error, bool) {
	rc, err := f.SyscallConn()
	if err != nil {
		return 0, nil, false
	}
	var total int64
	if b.File == nil || len(b.Header) > 0 {
		data := b.Data
		if b.File != nil {
			data = nil
		}
		n, err, ok := vmsplice(rc, b.Header, data, wait)
		if !ok {
			return 0, nil, false
		}
		total += n
		if err != nil || b.File == nil || n < int64(len(b.Header)) {
			return total, err, true
		}
	}
	n, err, ok := spliceFile(rc, b.File, b.Off, b.Len, wait)
	if !ok && total == 0 {
		return 0, nil, false
	}
	if !ok && !wait {
		return total, nil, true
	}
	if !ok {
		// The header went in already: the rest goes the portable way.
		var m int64
		m, err = b.copyRange(f)
		n = m
	}
	return total + n, err, true
}

func (b *Block) copyRange(f *os.File) (int64, error) {
	c := *b
	c.Header = nil
	return c.writeCopy(f)
}

// vmsplice lends head then data to the pipe, waiting through the poller
// while the pipe is full. ok is false when the descriptor is no pipe and
// nothing was written.
func vmsplice(rc interface {
	Write(func(fd uintptr) bool) error
}, head, data []byte, wait bool) (int64, error, bool) {
	var total int64
	var serr error
	ok := true
	iov := make([]unix.Iovec, 0, 2)
	bufs := [2][]byte{head, data}
	werr := rc.Write(func(fd uintptr) bool {
		for {
			iov = iov[:0]
			for i := range bufs {
				if len(bufs[i]) > 0 {
					v := unix.Iovec{Base: (*byte)(unsafe.Pointer(&bufs[i][0]))}
					v.SetLen(len(bufs[i]))
					iov = append(iov, v)
				}
			}
			if len(iov) == 0 {
				return true
			}
			n, err := unix.Vmsplice(int(fd), iov, unix.SPLICE_F_NONBLOCK)
			if errors.Is(err, unix.EAGAIN) {
				return !wait // full: wait until the reader takes some
			}
			if errors.Is(err, unix.EINTR) {
				continue
			}
			if err != nil {
				if total == 0 && (errors.Is(err, unix.EBADF) || errors.Is(err, unix.EINVAL)) {
					ok = false
				}
				serr = err
				return true
			}
			total += int64(n)
			for i := range bufs {
				k := min(n, len(bufs[i]))
				bufs[i], n = bufs[i][k:], n-k
			}
		}
	})
	if serr == nil {
		serr = werr
	}
	return total, wrapErr("vmsplice", serr), ok
}

// spliceFile moves n bytes of file from off into the pipe, from the page
// cache without passing through this process.
func spliceFile(rc interface {
	Write(func(fd uintptr) bool) error
}, file *os.File, off, n int64, wait bool) (int64, error, bool) {
	src, err := file.SyscallConn()
	if err != nil {
		return 0, nil, false
	}
	var total int64
	var serr error
	ok := true
	werr := rc.Write(func(fd uintptr) bool {
		for total < n {
			var k int64
			var e error
			cerr := src.Control(func(sfd uintptr) {
				o := off + total
				var m int64
				m, e = unix.Splice(int(sfd), &o, int(fd), nil, int(min(n-total, 1<<30)), unix.SPLICE_F_MOVE|unix.SPLICE_F_NONBLOCK)
				k = m
			})
			if cerr != nil {
				e = cerr
			}
			switch {
			case errors.Is(e, unix.EAGAIN):
				return !wait
			case errors.Is(e, unix.EINTR):
				continue
			case e != nil:
				if total == 0 && (errors.Is(e, unix.EINVAL) || errors.Is(e, unix.EBADF)) {
					ok = false
				}
				serr = e
				return true
			case k == 0:
				serr = errors.New("the file is shorter than it was")
				return true
			}
			total += k
		}
		return true
	})
	if serr == nil {
		serr = werr
	}
	return total, wrapErr("splice", serr), ok
}

func wrapErr(op string, err error) error {
	if err == nil {
		return nil
	}
	return &os.SyscallError{Syscall: op, Err: err}
}

// grow asks for a pipe of at least n bytes, up to the size an unprivileged
// process may have, and reports whether it has one that holds n.
func grow(f *os.File, n int64) bool {
	if n > maxPipe {
		return false
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return false
	}
	size := 0
	rc.Control(func(fd uintptr) {
		size, _ = unix.FcntlInt(fd, unix.F_SETPIPE_SZ, int(n))
	})
	return int64(size) >= n
}

// unread returns the bytes still in the pipe f.
func unread(f *os.File) int64 {
	rc, err := f.SyscallConn()
	if err != nil {
		return 0
	}
	n := 0
	rc.Control(func(fd uintptr) {
		n, _ = unix.IoctlGetInt(int(fd), unix.TIOCINQ) // FIONREAD
	})
	return int64(n)
}
