//go:build unix && !linux

package proc

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// fdDir lists the process's open descriptors.
const fdDir = "/dev/fd"

func selfExe() (string, error) { return os.Executable() }

// tableFile makes the job table's memory: an unlinked temporary file of size
// bytes, sparse until touched.
func tableFile(size int) (int, error) {
	f, err := os.CreateTemp("", "fanout-jobs-*")
	if err != nil {
		return -1, err
	}
	defer f.Close()
	os.Remove(f.Name())
	if err := f.Truncate(int64(size)); err != nil {
		return -1, err
	}
	return unix.FcntlInt(f.Fd(), unix.F_DUPFD_CLOEXEC, 0)
}

// cloexecPipe makes a pipe that no child started meanwhile can inherit.
func cloexecPipe(p *[2]int) error {
	syscall.ForkLock.RLock()
	defer syscall.ForkLock.RUnlock()
	if err := syscall.Pipe(p[:]); err != nil {
		return err
	}
	syscall.CloseOnExec(p[0])
	syscall.CloseOnExec(p[1])
	return nil
}
