package fanout

import (
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// SpliceFrom moves bytes from the pipe fd straight into the spill file, in
// the kernel, once output has spilled; before that it declines, and the
// bytes are read into memory.
func (o *Output) SpliceFrom(fd int) (int64, bool, error) {
	if o.f == nil {
		return 0, false, nil
	}
	n, err := unix.Splice(fd, nil, int(o.f.Fd()), nil, 1<<20, unix.SPLICE_F_MOVE)
	if err == unix.EINVAL || err == unix.ENOSYS {
		return 0, false, nil // not a pipe, or a file system that cannot
	}
	if n > 0 {
		o.n += n
	}
	if err != nil && err != unix.EINTR && err != unix.EAGAIN {
		return n, true, fmt.Errorf("spill output to %s: %w", o.tempDir(), err)
	}
	return n, true, err
}

// sendfile copies spilled output to w in the kernel where w is a file,
// pipe or device. It reports over when WriteTo is done, with done bytes
// written; otherwise the bytes from done on are to be copied through
// memory.
func (o *Output) sendfile(w io.Writer) (done int64, over bool, err error) {
	out, ok := w.(*os.File)
	if !ok {
		return 0, false, nil
	}
	in := int(o.f.Fd())
	for done < o.n {
		n, err := unix.Sendfile(int(out.Fd()), in, &done, int(min(o.n-done, 1<<30)))
		if err == unix.EINTR || err == unix.EAGAIN {
			continue
		}
		if err != nil || n == 0 {
			if done == 0 && (err == unix.EINVAL || err == unix.ENOSYS) {
				return 0, false, nil // not possible here: copy through memory
			}
			return done, true, err
		}
	}
	return done, true, nil
}
