package cli

import (
	"os"
	"os/exec"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fanoutdev/fanout"
)

func TestParseRunningOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want Options
	}{
		{[]string{"--retries", "0", "echo"}, Options{Retries: retriesForever, Command: []string{"echo"}}},
		{[]string{"--delay", "1.5auto", "echo"}, Options{Delay: 1500 * time.Millisecond, DelayAuto: true, Command: []string{"echo"}}},
		{[]string{"--nice", "7", "--load", "80%", "--memfree", "1G", "--memsuspend", "2k", "--noswap", "echo"},
			Options{Nice: 7, NiceSet: true, Load: "80%", MemFree: 1 << 30, MemSuspend: 2000, NoSwap: true, Command: []string{"echo"}}},
		{[]string{"--env", "A,B", "--env", "_", "--record-env", "echo"}, Options{Env: []string{"A", "B", "_"}, RecordEnv: true, Command: []string{"echo"}}},
		{[]string{"--ctag", "echo"}, Options{Tag: true, Color: true, Command: []string{"echo"}}},
		{[]string{"--ctagstring", "x{}", "--cf", "--files", "echo"}, Options{TagString: "x{}", Color: true, ColorFailed: true, Files: true, Command: []string{"echo"}}},
		{[]string{"--colour", "--output-as-files", "echo"}, Options{Color: true, Files: true, Command: []string{"echo"}}},
		{[]string{"--id", "x", "--st", "-2", "-j2", "echo"}, Options{SemID: "x", Semaphore: true, SemTimeout: -2 * time.Second, Jobs: "2", Command: []string{"echo"}}},
		{[]string{"--fg", "echo"}, Options{Fg: true, Semaphore: true, Command: []string{"echo"}}},
		{[]string{"--bg", "--wait"}, Options{Bg: true, Wait: true, Semaphore: true}},
		{[]string{"--bibtex"}, Options{Citation: true}},
	}
	for _, tt := range tests {
		got, err := Parse(tt.args, nil)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.args, err)
			continue
		}
		if !reflect.DeepEqual(*got, tt.want) {
			t.Errorf("Parse(%q) =\n%+v\nwant\n%+v", tt.args, *got, tt.want)
		}
	}
	for _, bad := range [][]string{{"--nice", "x"}, {"--load", "x"}, {"--memfree", "1Q"}, {"--delay", "-1"}, {"--st", "x"}, {"--retries", "-1"}, {"--sem"}, {"--files0"}} {
		if _, err := Parse(append(bad, "echo"), nil); err == nil {
			t.Errorf("Parse(%q) succeeded", bad)
		}
	}
}

func TestParseSize(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int64{
		"0": 0, "100": 100, "1k": 1000, "1K": 1024, "1.5M": 3 << 19, "2m": 2e6, "1G": 1 << 30,
		"1g": 1e9, "1T": 1 << 40, "1P": 1 << 50, "1Ki": 1024, "1ki": 1024, "1Mi": 1 << 20, "1mi": 1 << 20,
	} {
		got, err := ParseSize("--memfree", in)
		if err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "x", "1x", "K", "-1", "1KK", "1Kx", "NaN", "Inf", "1e300", "1Z"} {
		if _, err := ParseSize("--memfree", bad); err == nil {
			t.Errorf("ParseSize(%q) succeeded", bad)
		}
	}
}

func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"1G", "1.5k", "3Mi", "x", "", "9e18"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseSize("--memfree", s)
		if err == nil && v < 0 {
			t.Fatalf("ParseSize(%q) = %d", s, v)
		}
		if err != nil && (!strings.Contains(err.Error(), "--memfree") || strings.Contains(err.Error(), "\n")) {
			t.Fatalf("ParseSize(%q): error %q is not one line naming the option", s, err)
		}
	})
}

func TestParseLoad(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in   string
		want float64
	}{{"4", 4}, {"2.5", 2.5}, {"100%", 8}, {"50%", 4}, {"+2", 10}, {"-2", 6}, {"-20", 0.01}, {"0", 0.01}} {
		got, err := ParseLoad(tt.in, 8)
		if err != nil || got != tt.want {
			t.Errorf("ParseLoad(%q, 8) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "x", "1.5%", "+", "-x", "1e3", "0x10", "-1.5"} {
		if _, err := ParseLoad(bad, 8); err == nil {
			t.Errorf("ParseLoad(%q) succeeded", bad)
		}
	}
}

func FuzzParseLoad(f *testing.F) {
	for _, s := range []string{"4", "100%", "+1", "-1", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseLoad(s, 4)
		if err == nil && !(v >= 0.01) {
			t.Fatalf("ParseLoad(%q) = %v, want at least 0.01", s, v)
		}
	})
}

func FuzzParseDelay(f *testing.F) {
	for _, s := range []string{"1", "1auto", "auto", "2m3sauto", "x", "-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, _, err := ParseDelay(s)
		if err == nil && d < 0 {
			t.Fatalf("ParseDelay(%q) = %v", s, d)
		}
		if _, err := ParseSemTimeout(s); err == nil && strings.HasPrefix(s, "--") {
			t.Fatalf("ParseSemTimeout(%q) took two signs", s)
		}
	})
}

// --delay auto follows GNU parallel: 30% longer after a failure, 10%
// shorter after a success; a signal counts as success, as GNU's exit
// value 0 for it does.
func TestJobDelayAuto(t *testing.T) {
	t.Parallel()
	d := newJobDelay(time.Second, true)
	d.finished(&fanout.Result{ExitCode: 1})
	if got := d.current(); got != 1300*time.Millisecond {
		t.Fatalf("after a failure: %v", got)
	}
	d.finished(&fanout.Result{})
	d.finished(&fanout.Result{ExitCode: -1, Signal: syscall.SIGTERM})
	if got, want := d.current(), time.Duration(float64(1300*time.Millisecond)*0.9*0.9); got != want {
		t.Fatalf("after two successes: %v, want %v", got, want)
	}
	fixed := newJobDelay(time.Second, false)
	fixed.finished(&fanout.Result{ExitCode: 1})
	if fixed.current() != time.Second {
		t.Fatal("a delay without auto changed")
	}
}

func TestFunctionPrefix(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"BASH_FUNC_f%%": "() {  echo f\n}",
		"BASH_FUNC_g()": "() {  echo g\n}",
		"PLAIN":         "() { not a function",
	}
	get := func(k string) string { return env[k] }
	got := functionPrefix([]string{"PLAIN", "f", "BASH_FUNC_g()", "f", "missing"}, get)
	want := "f() {  echo f\n};\nexport -f f 2> /dev/null;\n g() {  echo g\n};\nexport -f g 2> /dev/null;\n"
	if got != want {
		t.Fatalf("functionPrefix = %q, want %q", got, want)
	}
}

// fakeMachine is a machine whose readings the test sets; the process
// groups are real.
type fakeMachine struct {
	load        float64
	free        int64
	swapIn, out uint64
	groups      []int
}

type machineFunc struct{ m *fakeMachine }

func (f machineFunc) load() (float64, error)           { return f.m.load, nil }
func (f machineFunc) memFree() (int64, error)          { return f.m.free, nil }
func (f machineFunc) swapped() (uint64, uint64, error) { return f.m.swapIn, f.m.out, nil }
func (f machineFunc) jobGroups() ([]int, error)        { return f.m.groups, nil }

func testAdmission(t *testing.T, m *fakeMachine, o *Options) *admission {
	t.Helper()
	c := newConsole(Streams{Out: &strings.Builder{}, Err: &strings.Builder{}})
	a, err := newAdmission(o, c, machineFunc{m}, fanout.DefaultTermSeq)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestAdmissionGate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		o    Options
		m    fakeMachine
		open bool
	}{
		{Options{Load: "2"}, fakeMachine{load: 1}, true},
		{Options{Load: "2"}, fakeMachine{load: 2}, false}, // at the limit: too high, as in GNU parallel
		{Options{Load: "0"}, fakeMachine{load: 0}, true},
		{Options{MemFree: 100}, fakeMachine{free: 100}, true},
		{Options{MemFree: 100}, fakeMachine{free: 99}, false},
		{Options{MemFree: 100, MemSuspend: 50}, fakeMachine{free: 120}, false}, // the limit is their sum
		{Options{NoSwap: true}, fakeMachine{swapIn: 5, out: 0}, true},
		{Options{NoSwap: true}, fakeMachine{swapIn: 5, out: 5}, false},
	}
	for _, tt := range tests {
		a := testAdmission(t, &tt.m, &tt.o)
		a.tick()
		if a.open.Load() != tt.open {
			t.Errorf("%+v with %+v: open %v, want %v", tt.o, tt.m, a.open.Load(), tt.open)
		}
	}
}

// A worker waits while the gate is closed, starts once it opens, and
// gives up when the run stops.
func TestAdmissionWait(t *testing.T) {
	t.Parallel()
	m := &fakeMachine{free: 0}
	a := testAdmission(t, m, &Options{MemFree: 10})
	a.tick()
	done := make(chan error)
	go func() { done <- a.wait(nil) }()
	select {
	case <-done:
		t.Fatal("wait returned with the gate closed")
	case <-time.After(20 * time.Millisecond):
	}
	m.free = 10
	a.tick()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	m.free = 0
	a.tick()
	stop := make(chan struct{})
	close(stop)
	if err := a.wait(stop); err == nil {
		t.Fatal("wait on a stopped run returned nil")
	}
	var none *admission
	if none.wait(nil) != nil {
		t.Fatal("no admission waits")
	}
}

// startGroups starts n sleeping processes, each leading a process group
// of its own, as jobs do, oldest first.
func startGroups(t *testing.T, n int) []int {
	t.Helper()
	var groups []int
	for range n {
		cmd := exec.Command("sleep", "30")
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); cmd.Wait() })
		groups = append(groups, cmd.Process.Pid)
	}
	return groups
}

// processState reads the state letter of /proc/PID/stat.
func processState(t *testing.T, pid int) byte {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		t.Skip("no /proc")
	}
	i := strings.LastIndexByte(string(b), ')')
	return b[i+2]
}

// waitState polls until pid is in one of the states.
func waitState(t *testing.T, pid int, states string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(2 * time.Millisecond) {
		if strings.IndexByte(states, processState(t, pid)) >= 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("process %d is in state %c, want one of %q", pid, processState(t, pid), states)
		}
	}
}

// --memsuspend stops the youngest jobs when memory runs short, keeping
// the oldest running, and continues them one per reading once it is back.
func TestMemsuspendStopsYoungJobs(t *testing.T) {
	t.Parallel()
	groups := startGroups(t, 3)
	m := &fakeMachine{free: 50, groups: groups}
	a := testAdmission(t, m, &Options{MemSuspend: 100})
	a.tick() // under the size: only the oldest runs
	waitState(t, groups[1], "T")
	waitState(t, groups[2], "T")
	if s := processState(t, groups[0]); s == 'T' {
		t.Fatal("the oldest job was stopped")
	}
	m.free = 250 // over twice the size: continue one per reading
	a.tick()
	waitState(t, groups[1], "SR")
	if s := processState(t, groups[2]); s != 'T' {
		t.Fatalf("two jobs continued in one reading (state %c)", s)
	}
	a.close() // continues the rest
	waitState(t, groups[2], "SR")
}

// Under half of --memfree the youngest job is terminated, one per
// reading.
func TestMemfreeKillsTheYoungest(t *testing.T) {
	t.Parallel()
	groups := startGroups(t, 2)
	m := &fakeMachine{free: 40, groups: groups}
	a := testAdmission(t, m, &Options{MemFree: 100})
	a.tick()
	if a.open.Load() {
		t.Fatal("the gate is open with too little memory")
	}
	waitState(t, groups[1], "Z")
	if s := processState(t, groups[0]); s == 'Z' {
		t.Fatal("the oldest job was killed")
	}
}
