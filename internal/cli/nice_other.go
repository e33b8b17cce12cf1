//go:build unix && !linux

package cli

import (
	"errors"

	"golang.org/x/sys/unix"
)

// applyNice sets fanout's own niceness, for the whole process on these
// systems, so that every job it starts inherits it. Lowering it needs
// privilege: without it the niceness stays as it is, as GNU parallel's
// jobs do.
func applyNice(n int) error {
	err := unix.Setpriority(unix.PRIO_PROCESS, 0, n)
	if errors.Is(err, unix.EACCES) || errors.Is(err, unix.EPERM) {
		return nil
	}
	return err
}
