//go:build unix && (!linux || fanout_portable)

package proc

import (
	"fmt"
	"sync"
)

// exits tells portable supervisors when their jobs' processes exit, without
// reaping them, so that a job's group can be killed while its leader's pid,
// which is the group's id, cannot be reused. One goroutine serves the whole
// process, blocked on the system's queue of exit events (exitQueue): a
// running job holds no thread of its own.
var exits struct {
	once sync.Once
	q    exitQueue
	err  error // why there is no queue
	mu   sync.Mutex
	wait map[int]chan<- int // pid -> its supervisor's exit channel
}

// startExits makes the exit queue and starts its goroutine, once.
func startExits() error {
	exits.once.Do(func() {
		exits.q, exits.err = openExitQueue()
		if exits.err == nil {
			exits.wait = make(map[int]chan<- int)
			go exitLoop()
		}
	})
	return exits.err
}

// watchExit arranges for pid to be sent on c, once, when the child process
// pid has exited. c must have room for it: the sender does not wait.
func watchExit(pid int, c chan<- int) error {
	if err := startExits(); err != nil {
		return err
	}
	exits.mu.Lock()
	exits.wait[pid] = c
	exits.mu.Unlock()
	done, err := exits.q.add(pid)
	if err != nil {
		exits.mu.Lock()
		delete(exits.wait, pid)
		exits.mu.Unlock()
		return err
	}
	if done {
		notifyExit(pid)
	}
	return nil
}

// notifyExit passes on the news that pid exited to its supervisor.
func notifyExit(pid int) {
	exits.mu.Lock()
	c, ok := exits.wait[pid]
	delete(exits.wait, pid)
	exits.mu.Unlock()
	if ok {
		c <- pid
	}
}

func exitLoop() {
	var pids [16]int
	for {
		n, err := exits.q.wait(pids[:])
		if err != nil {
			// Not one job could be seen to end any more.
			panic(fmt.Sprintf("fanout: waiting for jobs to exit: %v", err))
		}
		for _, pid := range pids[:n] {
			notifyExit(pid)
		}
	}
}
