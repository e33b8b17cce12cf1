package tmpfile

import (
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// openUnnamed creates the file with O_TMPFILE (Linux 3.11), which never
// gives it a name. It reports false where the file system does not support
// it, so that the caller falls back; any other failure is reported by the
// fallback's own error.
func openUnnamed(dir string) (*os.File, bool) {
	fd, err := unix.Open(dir, unix.O_TMPFILE|unix.O_RDWR|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return nil, false
	}
	return os.NewFile(uintptr(fd), filepath.Join(dir, "(anonymous)")), true
}
