package fanout_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/fanoutdev/fanout"
	"golang.org/x/sys/unix"
)

// helperEnv makes this test binary the program a test's job runs, as Go's
// os/exec tests do: TestMain then does the steps its value and arguments
// name, and exits. Such a job needs no tool of the host, does exactly what
// the test says, and tells the test where it has got to by the files it
// makes, so that no test has to sleep and hope.
const helperEnv = "FANOUT_TEST_HELPER"

// helperName is a helper's argv[0]. A helper whose environment lost its
// mode knows itself by it, and fails instead of running every test again,
// each of which would start more of it.
const helperName = "fanout-test-helper"

func TestMain(m *testing.M) {
	if mode, ok := os.LookupEnv(helperEnv); ok {
		os.Exit(runHelper(append([]string{mode}, os.Args[1:]...)))
	}
	if os.Args[0] == helperName {
		os.Exit(helperFail("started without %s in its environment", helperEnv))
	}
	os.Exit(m.Run())
}

// helper returns a job that runs this test binary doing mode with args,
// then the further steps that follow in args (see runHelper):
//
//	helper(t, "pgid", pidFile, "spawn", gcFile, "sleep", "1m")
func helper(t testing.TB, mode string, args ...string) *fanout.Job {
	t.Helper()
	return &fanout.Job{Args: append([]string{helperName}, args...), Path: helperPath(t), Env: helperEnviron(mode)}
}

var helperExe = sync.OnceValues(os.Executable)

func helperPath(t testing.TB) string {
	t.Helper()
	exe, err := helperExe()
	if err != nil {
		t.Fatalf("cannot find this test binary to run it as a job: %v", err)
	}
	return exe
}

// baseEnviron is this process's environment for helpers. A binary built with
// -race sleeps a second at exit, by default, for other threads to report
// races; helpers have none, and a test would wait that second for each.
var baseEnviron = sync.OnceValue(func() []string {
	race := "atexit_sleep_ms=0"
	var env []string
	for _, kv := range os.Environ() {
		switch k, v, _ := strings.Cut(kv, "="); k {
		case "GORACE":
			race = v + " " + race
		case helperEnv:
		default:
			env = append(env, kv)
		}
	}
	return append(env, "GORACE="+race)
})

// helperEnviron returns the environment of a helper doing mode.
func helperEnviron(mode string) []string {
	base := baseEnviron()
	return append(base[:len(base):len(base)], helperEnv+"="+mode)
}

// helperDeadline bounds every wait of a helper, so that none outlives a
// failed test by long.
const helperDeadline = time.Minute

// runHelper does the steps in args, each a name and its arguments, and
// returns the exit status:
//
//	sleep D        sleep for the duration D
//	spin D         keep a CPU busy until this process has used D of CPU time
//	gate F         wait until the file F exists
//	exit N         exit with status N
//	raise SIG      die of the signal SIG (SIGHUP, SIGKILL, ...)
//	ignore SIG     ignore the signal SIG from now on
//	trap F         on SIGTERM from now on, create the file F and exit
//	termwait       on SIGTERM from now on, wait for the children spawned to
//	               exit, then die of SIGTERM: children that got it too have
//	               the time to show it
//	print S        write S to stdout; eprint S writes it to stderr
//	fill N C       write N bytes C to stdout; efill N C, to stderr
//	cat F          copy the file F, or stdin if F is -, to stdout
//	args           print the remaining arguments one per line
//	cwd            print the working directory
//	environ        print the environment, one variable per line
//	touch F        create the file F
//	pid F, pgid F  write this process's pid, or group id, to F
//	spawn F        start a child in this process group, inheriting stdout
//	               and stderr, that does trap F.term, pid F, sleep 1m; go on
//	               once F exists
//	escape F       the same, with the child in a new session
//	attempt F N    add a line to F; print "attempt" and the number of lines,
//	               then fail unless there are at least N
//	crowd D N T    one of T jobs, at most N at once: mark this one running in
//	               the directory D, wait until N run or every job of the T
//	               has started, and print the most seen running at once
//
// Files are written whole under a temporary name and then renamed, so a
// test that sees one can read it.
func runHelper(args []string) int {
	for len(args) > 0 {
		name := args[0]
		st, ok := helperSteps[name]
		switch {
		case !ok:
			return helperFail("no step %q", name)
		case st.args < 0:
			st.args = len(args) - 1
		case len(args) < 1+st.args:
			return helperFail("step %q needs %d arguments, has %d", name, st.args, len(args)-1)
		}
		a := args[1 : 1+st.args]
		args = args[1+st.args:]
		if err := st.run(a); err != nil {
			if status, ok := err.(exitStatus); ok {
				return int(status)
			}
			return helperFail("%s %q: %v", name, a, err)
		}
	}
	return 0
}

// helperStep is one step: how many arguments it takes (-1: all that are
// left), and what it does.
type helperStep struct {
	args int
	run  func(a []string) error
}

// exitStatus is the error by which a step ends the helper with a status.
type exitStatus int

func (s exitStatus) Error() string { return "exit status " + strconv.Itoa(int(s)) }

var helperSteps = map[string]helperStep{
	"sleep": {1, func(a []string) error {
		d, err := time.ParseDuration(a[0])
		time.Sleep(d)
		return err
	}},
	"spin": {1, func(a []string) error {
		d, err := time.ParseDuration(a[0])
		for err == nil && cpuTime() < d {
			for i := 0; i < 1e6; i++ {
				spinSink += i
			}
		}
		return err
	}},
	"gate": {1, func(a []string) error { return waitFile(a[0]) }},
	"exit": {1, func(a []string) error {
		n, err := strconv.Atoi(a[0])
		if err != nil {
			return err
		}
		return exitStatus(n)
	}},
	"raise":    {1, func(a []string) error { return exitStatus(raise(a[0])) }},
	"ignore":   {1, func(a []string) error { signal.Ignore(unix.SignalNum(a[0])); return nil }},
	"trap":     {1, func(a []string) error { trap(a[0]); return nil }},
	"termwait": {0, func([]string) error { termWait(); return nil }},
	"print":    {1, func(a []string) error { _, err := os.Stdout.WriteString(a[0]); return err }},
	"eprint":   {1, func(a []string) error { _, err := os.Stderr.WriteString(a[0]); return err }},
	"fill":     {2, func(a []string) error { return fill(os.Stdout, a[0], a[1]) }},
	"efill":    {2, func(a []string) error { return fill(os.Stderr, a[0], a[1]) }},
	"cat":      {1, func(a []string) error { return cat(a[0]) }},
	"args":     {-1, func(a []string) error { return printLines(a) }},
	"cwd": {0, func([]string) error {
		dir, err := syscall.Getwd()
		if err != nil {
			return err
		}
		return printLines([]string{dir})
	}},
	"environ": {0, func([]string) error { return printLines(os.Environ()) }},
	"touch":   {1, func(a []string) error { return os.WriteFile(a[0], nil, 0o644) }},
	"pid":     {1, func(a []string) error { return writeWhole(a[0], strconv.Itoa(os.Getpid())) }},
	"pgid":    {1, func(a []string) error { return writeWhole(a[0], strconv.Itoa(syscall.Getpgrp())) }},
	"spawn":   {1, func(a []string) error { return spawn(a[0], false) }},
	"escape":  {1, func(a []string) error { return spawn(a[0], true) }},
	"attempt": {2, func(a []string) error { return attempt(a[0], a[1]) }},
	"crowd":   {3, func(a []string) error { return crowd(a[0], a[1], a[2]) }},
}

// spinSink keeps spin's loop from being optimised away.
var spinSink int

// cpuTime is the CPU time this process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func printLines(lines []string) error {
	for _, l := range lines {
		if _, err := fmt.Println(l); err != nil {
			return err
		}
	}
	return nil
}

func helperFail(format string, args ...any) int {
	fmt.Fprintf(os.Stderr, "test helper: "+format+"\n", args...)
	return 125
}

// waitUntil polls cond until it holds, for at most helperDeadline.
func waitUntil(cond func() bool) error {
	for deadline := time.Now().Add(helperDeadline); !cond(); time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			return fmt.Errorf("still waiting after %v", helperDeadline)
		}
	}
	return nil
}

// waitFile waits until the file exists.
func waitFile(name string) error {
	return waitUntil(func() bool { _, err := os.Stat(name); return err == nil })
}

// raise makes this process die of the signal. The runtime dies of a
// signal it catches by restoring the default action and raising it again.
func raise(name string) int {
	sig := unix.SignalNum(name)
	if sig == 0 {
		return helperFail("no signal %s", name)
	}
	if signal.Ignored(sig) {
		return helperFail("%s is ignored in this process, which cannot die of it", name)
	}
	signal.Reset(sig)
	syscall.Kill(os.Getpid(), sig)
	time.Sleep(helperDeadline)
	return helperFail("still alive %v after %s", helperDeadline, name)
}

func trap(file string) {
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGTERM)
	go func() {
		<-c
		if err := writeWhole(file, ""); err != nil {
			os.Exit(helperFail("trap: %v", err))
		}
		os.Exit(0)
	}()
}

// spawned holds the children that spawn started.
var spawned []*exec.Cmd

func termWait() {
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGTERM)
	go func() {
		<-c
		for _, cmd := range spawned {
			cmd.Wait()
		}
		os.Exit(raise("SIGTERM"))
	}()
}

func fill(w io.Writer, count, char string) error {
	n, err := strconv.Atoi(count)
	if err != nil || len(char) != 1 {
		return fmt.Errorf("want a byte count and one character")
	}
	chunk := bytes.Repeat([]byte(char), min(n, 64<<10))
	for ; n > 0; n -= len(chunk) {
		if _, err := w.Write(chunk[:min(n, len(chunk))]); err != nil {
			return err
		}
	}
	return nil
}

func cat(name string) error {
	in := os.Stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	_, err := io.Copy(os.Stdout, in)
	return err
}

// writeWhole writes s to name so that the file, once it exists, is whole.
func writeWhole(name, s string) error {
	if err := os.WriteFile(name+".tmp", []byte(s), 0o644); err != nil {
		return err
	}
	return os.Rename(name+".tmp", name)
}

// spawn starts a child that sleeps, and leaves it running once it is ready
// for SIGTERM.
func spawn(pidFile string, escape bool) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.Command(exe, pidFile+".term", "pid", pidFile, "sleep", helperDeadline.String())
	cmd.Args[0] = helperName
	cmd.Env = helperEnviron("trap")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: escape}
	if err := cmd.Start(); err != nil {
		return err
	}
	spawned = append(spawned, cmd)
	return waitFile(pidFile)
}

func attempt(file, need string) error {
	want, err := strconv.Atoi(need)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	_, err = f.WriteString("x\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	b, rerr := os.ReadFile(file)
	if err != nil || rerr != nil {
		return errors.Join(err, rerr)
	}
	n := strings.Count(string(b), "\n")
	fmt.Println("attempt", n)
	if n < want {
		return exitStatus(1)
	}
	return nil
}

func crowd(dir, limit, total string) error {
	n, err1 := strconv.Atoi(limit)
	all, err2 := strconv.Atoi(total)
	if err1 != nil || err2 != nil {
		return fmt.Errorf("want two numbers")
	}
	me := strconv.Itoa(os.Getpid())
	if err := os.WriteFile(filepath.Join(dir, "run."+me), nil, 0o644); err != nil {
		return err
	}
	peak := 0
	err := waitUntil(func() bool {
		running, done := 0, 0
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			switch {
			case strings.HasPrefix(e.Name(), "run."):
				running++
			case strings.HasPrefix(e.Name(), "done."):
				done++
			}
		}
		peak = max(peak, running)
		return running >= n || running+done >= all
	})
	if err != nil {
		return err
	}
	fmt.Println(peak)
	if err := os.WriteFile(filepath.Join(dir, "done."+me), nil, 0o644); err != nil {
		return err
	}
	return os.Remove(filepath.Join(dir, "run."+me))
}

// readPid reads a pid that a job wrote to path.
func readPid(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

// killAtEnd kills the helper whose pid a job wrote to path when the test
// ends, should the test fail before it sees that process gone.
func killAtEnd(t *testing.T, path string) int {
	t.Helper()
	pid := readPid(t, path)
	t.Cleanup(func() {
		if isHelper(pid) {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	})
	return pid
}

// processGone reports whether pid has exited, waiting a bounded time for
// it.
func processGone(pid int) bool {
	return eventually(func() bool { return !running(pid) })
}

// eventually polls cond until it holds, for at most five seconds, and
// reports whether it did: how a test waits on real processes without a
// fixed sleep.
func eventually(cond func() bool) bool {
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
	return true
}
