//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package proc

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// exitQueue is a kqueue of EVFILT_PROC NOTE_EXIT events, which fire when a
// process exits and leave it to be reaped.
type exitQueue struct{ kq int }

func openExitQueue() (exitQueue, error) {
	kq, err := unix.Kqueue()
	if err != nil {
		return exitQueue{}, fmt.Errorf("kqueue: %w", err)
	}
	unix.CloseOnExec(kq)
	return exitQueue{kq}, nil
}

// add watches the child pid; it reports true if pid has exited already,
// in which case no event follows.
func (q exitQueue) add(pid int) (bool, error) {
	var ev [1]unix.Kevent_t
	unix.SetKevent(&ev[0], pid, unix.EVFILT_PROC, unix.EV_ADD|unix.EV_ONESHOT)
	ev[0].Fflags = unix.NOTE_EXIT
	for {
		_, err := unix.Kevent(q.kq, ev[:], nil, nil)
		switch err {
		case nil:
			return false, nil
		case unix.EINTR:
			continue
		case unix.ESRCH:
			// Some systems refuse to watch a zombie: a child not reaped
			// yet that cannot be found has exited.
			return true, nil
		}
		return false, fmt.Errorf("kevent: %w", err)
	}
}

// wait blocks until processes have exited and stores their pids in pids.
func (q exitQueue) wait(pids []int) (int, error) {
	var evs [16]unix.Kevent_t
	for {
		n, err := unix.Kevent(q.kq, nil, evs[:min(len(pids), len(evs))], nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("kevent: %w", err)
		}
		k := 0
		for _, ev := range evs[:n] {
			if ev.Filter == unix.EVFILT_PROC && ev.Fflags&unix.NOTE_EXIT != 0 {
				pids[k] = int(ev.Ident)
				k++
			}
		}
		return k, nil
	}
}
