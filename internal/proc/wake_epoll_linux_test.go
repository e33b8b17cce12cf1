//go:build !fanout_portable

package proc

import (
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// A wake-up that comes once the job's process is over, while escaped
// descendants still hold its pipes, terminates nothing and cancels
// nothing: the job ended by itself.
func TestWakeDuringDrainIsIgnored(t *testing.T) {
	t.Parallel()
	s := newSupervisor(t)
	o, out, _ := runEscaping(t, s, func(int) error {
		s.Wake()
		// The descendant may finish once the supervisor has taken the
		// wake-up from its eventfd.
		fds := []unix.PollFd{{Fd: int32(s.wake), Events: unix.POLLIN}}
		return waitUntil(func() bool {
			n, err := unix.Poll(fds, 0)
			return err == nil && n == 0
		})
	})
	if o.Canceled || o.TimedOut || !o.Status.Exited() || o.Status.ExitStatus() != 0 {
		t.Fatalf("outcome %+v, want a plain exit: the wake-up came after it", o)
	}
	if !strings.HasSuffix(out, "\nlate\n") {
		t.Fatalf("output %q, want the descendant's late line", out)
	}
}
