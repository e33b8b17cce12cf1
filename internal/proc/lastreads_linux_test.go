package proc

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// lateWriterEnv makes this test binary a job that prints its pid, enlarges
// its stdout pipe, waits for the file the variable names, then prints
// lateBytes bytes at once and exits: the bytes are all in the pipe when the
// job's exit is seen.
const lateWriterEnv = "FANOUT_PROC_TEST_LATE_WRITER"

// lateBytes is more than one read takes from a pipe, less than the pipe
// the job asks for holds.
const lateBytes = 1<<20 - 4<<10

func init() {
	if gate := os.Getenv(lateWriterEnv); gate != "" {
		os.Exit(lateWriter(gate))
	}
}

func lateWriter(gate string) int {
	if _, err := unix.FcntlInt(1, unix.F_SETPIPE_SZ, 1<<20); err != nil {
		fmt.Fprintln(os.Stderr, "F_SETPIPE_SZ:", err)
		return 1
	}
	fmt.Printf("%d\n", os.Getpid())
	if err := waitUntil(func() bool { _, err := os.Stat(gate); return err == nil }); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if _, err := os.Stdout.Write(bytes.Repeat([]byte{'x'}, lateBytes)); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// noExitSleep spares a job built with -race the race runtime's second of
// sleep at exit.
const noExitSleep = "GORACE=atexit_sleep_ms=0"

// slowFirst is a sink whose first write, of the job's pid, opens the gate
// and then waits until the job has exited: the drain deadline passes while
// the job's output is still in its pipe, as when a loaded machine leaves
// the supervisor unscheduled for longer than the drain.
type slowFirst struct {
	gate string
	buf  bytes.Buffer
	err  error
}

func (w *slowFirst) Write(p []byte) (int, error) {
	if w.buf.Len() == 0 {
		line, _, _ := strings.Cut(string(p), "\n")
		pid, err := strconv.Atoi(line)
		if err == nil {
			err = os.WriteFile(w.gate, nil, 0o644)
		}
		if err == nil {
			err = waitUntil(func() bool { return zombie(pid) })
		}
		w.err = err
	}
	return w.buf.Write(p)
}

// The drain bounds the wait for pipes that escaped descendants hold open;
// bytes the job itself wrote before it exited are in the pipe already and
// are read to the end however late the supervisor gets to them.
func TestDrainDeadlineKeepsBufferedOutput(t *testing.T) {
	t.Parallel()
	s := newSupervisor(t)
	for i := range 3 {
		gate := filepath.Join(t.TempDir(), "gate")
		sp := &Spec{Path: os.Args[0], Argv: []string{os.Args[0]}, Env: append(os.Environ(), lateWriterEnv+"="+gate, noExitSleep), Stdin: -1, Stdout: -1, Stderr: -1}
		out := &slowFirst{gate: gate}
		var errs bytes.Buffer
		o, err := s.Run(sp, out, &errs, 0, quick, time.Nanosecond)
		if err != nil {
			t.Fatal(err)
		}
		if out.err != nil {
			t.Fatal(out.err)
		}
		if o.Status.ExitStatus() != 0 {
			t.Fatalf("job exited with %d: %s", o.Status.ExitStatus(), errs.String())
		}
		_, rest, _ := strings.Cut(out.buf.String(), "\n")
		if len(rest) != lateBytes || strings.Trim(rest, "x") != "" {
			t.Fatalf("run %d: %d of the %d bytes the job printed before it exited were read", i+1, len(rest), lateBytes)
		}
	}
}
