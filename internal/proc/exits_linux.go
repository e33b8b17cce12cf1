//go:build fanout_portable

package proc

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// exitQueue is, on Linux, an epoll instance of pidfds, which become
// readable when their process exits and leave it to be reaped. It plays the
// part of the kqueue that macOS and FreeBSD have, so that the portable
// supervisor can be tested here.
type exitQueue struct{ ep int }

func openExitQueue() (exitQueue, error) {
	ep, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return exitQueue{}, fmt.Errorf("epoll: %w", err)
	}
	return exitQueue{ep}, nil
}

// add watches the child pid; it never finds it exited already, as a pidfd
// of a zombie is readable at once.
func (q exitQueue) add(pid int) (bool, error) {
	fd, err := unix.PidfdOpen(pid, 0)
	if err == unix.ENOSYS {
		return false, ErrNoPidfd
	}
	if err != nil {
		return false, fmt.Errorf("pidfd_open: %w", err)
	}
	ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(fd), Pad: int32(pid)}
	if err := unix.EpollCtl(q.ep, unix.EPOLL_CTL_ADD, fd, &ev); err != nil {
		unix.Close(fd)
		return false, fmt.Errorf("epoll_ctl: %w", err)
	}
	return false, nil
}

// wait blocks until processes have exited and stores their pids in pids.
func (q exitQueue) wait(pids []int) (int, error) {
	var evs [16]unix.EpollEvent
	for {
		n, err := unix.EpollWait(q.ep, evs[:min(len(pids), len(evs))], -1)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("epoll_wait: %w", err)
		}
		for i, ev := range evs[:n] {
			// Removed before the close: a child being forked may hold a
			// copy of the pidfd, which would keep it registered.
			unix.EpollCtl(q.ep, unix.EPOLL_CTL_DEL, int(ev.Fd), nil)
			unix.Close(int(ev.Fd))
			pids[i] = int(ev.Pad)
		}
		return n, nil
	}
}
