package proc

import "golang.org/x/sys/unix"

// fdDir lists the process's open descriptors.
const fdDir = "/proc/self/fd"

// selfExe names this program even if its file was replaced or removed since
// it started.
func selfExe() (string, error) { return "/proc/self/exe", nil }

// tableFile makes the job table's memory: a memfd of size bytes, none of
// them allocated until touched.
func tableFile(size int) (int, error) {
	fd, err := unix.MemfdCreate("fanout-jobs", unix.MFD_CLOEXEC)
	if err != nil {
		return -1, err
	}
	if err := unix.Ftruncate(fd, int64(size)); err != nil {
		unix.Close(fd)
		return -1, err
	}
	return fd, nil
}

func cloexecPipe(p *[2]int) error { return unix.Pipe2(p[:], unix.O_CLOEXEC) }
