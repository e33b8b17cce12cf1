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
//
// Streaming output (see Pool.Stream) is moved likewise to the stream's
// writer, where that is a file that takes it.
func (o *Output) SpliceFrom(fd int) (int64, bool, error) {
	if o.f == nil && !o.streamed {
		return 0, false, nil
	}
	if o.take() {
		return o.spliceStream(fd)
	}
	if o.codec != nil {
		return 0, false, nil // the bytes go through the compressor: Write
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

// spliceStream moves bytes from the pipe fd to the stream's file, under its
// lock. It declines, for the bytes to go through Write, where the writer is
// not a file, the file cannot take a splice (a terminal, or opened for
// appending), or writing to it failed (Write drops the bytes then).
func (o *Output) spliceStream(fd int) (int64, bool, error) {
	kw, ok := o.stream.(kernelWriter)
	if !ok || o.serr != nil {
		return 0, false, nil
	}
	kw.Lock()
	n, err := unix.Splice(fd, nil, int(kw.File().Fd()), nil, 1<<20, unix.SPLICE_F_MOVE)
	kw.Unlock()
	switch {
	case err == unix.EINVAL || err == unix.ENOSYS || err == unix.EAGAIN:
		// EAGAIN: the job's pipe blocks, so the file does not, and only
		// its Write waits for it without spinning.
		o.stream = plainWriter{kw}
		return 0, false, nil
	case err == unix.EINTR:
		return 0, true, err
	case err != nil:
		o.serr = err
		return 0, false, nil
	}
	o.n += n
	return n, true, nil
}

// plainWriter hides a kernelWriter's file, once it turned out to take no
// splice, so that the bytes go through its Write.
type plainWriter struct{ w io.Writer }

func (p plainWriter) Write(b []byte) (int, error) { return p.w.Write(b) }
