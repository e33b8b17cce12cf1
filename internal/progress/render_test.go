package progress

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s differs (rerun with -update to accept):\ngot:\n%s\nwant:\n%s", name, got, want)
	}
}

// visible shows the escapes of a line as text.
func visible(b []byte) string {
	return strings.NewReplacer(rev, "<rev>", reset, "<reset>", "\x1b[K", "<clear>").Replace(string(b))
}

var states = []struct {
	name  string
	s     State
	width int
}{
	{"nothing done", State{Started: 2, Total: 4, Slots: 2, CPUs: 2, Arg: "2"}, 40},
	{"a quarter", State{Started: 3, Completed: 1, Total: 4, Slots: 2, CPUs: 2, Busy: 300 * time.Millisecond, Elapsed: time.Second, Arg: "3"}, 40},
	{"half", State{Started: 4, Completed: 2, Total: 4, Slots: 2, CPUs: 2, Busy: 2400 * time.Millisecond, Elapsed: 1500 * time.Millisecond, Arg: "b c"}, 40},
	{"all", State{Started: 4, Completed: 4, Total: 4, Slots: 2, CPUs: 2, Busy: 4 * time.Second, Elapsed: 2 * time.Second, Arg: "4"}, 40},
	{"total unknown", State{Started: 5, Completed: 3, Slots: 4, CPUs: 2, Busy: 3 * time.Second, Elapsed: time.Second, Arg: "x"}, 40},
	{"total outgrown", State{Started: 7, Completed: 6, Total: 5, Slots: 2, CPUs: 2, Busy: 6 * time.Second, Elapsed: 3 * time.Second, Arg: "y"}, 40},
	{"long arg cut", State{Started: 1, Completed: 0, Total: 3, Slots: 1, CPUs: 8, Arg: strings.Repeat("long-argument ", 5)}, 30},
	{"control characters", State{Started: 1, Total: 2, Slots: 1, CPUs: 1, Arg: "two\nlines\tand\x1b[31mred"}, 40},
	{"wide runes", State{Started: 1, Completed: 1, Total: 2, Slots: 1, CPUs: 1, Busy: time.Second, Elapsed: time.Second, Arg: "héllo wörld"}, 20},
	{"hours left", State{Started: 10, Completed: 2, Total: 10000, Slots: 10, CPUs: 4, Busy: 2 * time.Minute, Elapsed: time.Minute, Arg: "2"}, 60},
	{"days left", State{Started: 1, Completed: 1, Total: 100000, Slots: 1, CPUs: 4, Busy: 10 * time.Second, Elapsed: 10 * time.Second, Arg: "1"}, 60},
	{"narrow 60", State{Started: 30, Completed: 12, Total: 100, Slots: 8, CPUs: 4, Busy: 24 * time.Second, Elapsed: 4 * time.Second, Arg: "12"}, 60},
	{"narrow 30", State{Started: 30, Completed: 12, Total: 100, Slots: 8, CPUs: 4, Busy: 24 * time.Second, Elapsed: 4 * time.Second, Arg: "12"}, 30},
	{"narrow 20", State{Started: 30, Completed: 12, Total: 100, Slots: 8, CPUs: 4, Busy: 24 * time.Second, Elapsed: 4 * time.Second, Arg: "12"}, 20},
	{"narrow 5", State{Started: 30, Completed: 12, Total: 100, Slots: 8, CPUs: 4, Busy: 24 * time.Second, Elapsed: 4 * time.Second, Arg: "12"}, 5},
	{"none started", State{Slots: 2, CPUs: 2}, 80},
}

// TestRender renders every state in every style, against golden output
// whose look was taken from GNU parallel 20221122 under a terminal.
func TestRender(t *testing.T) {
	var b strings.Builder
	for _, c := range states {
		fmt.Fprintf(&b, "== %s (width %d)\n", c.name, c.width)
		fmt.Fprintf(&b, "bar:      |%s|\n", visible(AppendBar(nil, c.s, c.width)))
		line, header := AppendStatus(nil, c.s, c.width, false)
		fmt.Fprintf(&b, "progress: |%s|\n          %s\n", line, header)
		line, header = AppendStatus(nil, c.s, c.width, true)
		fmt.Fprintf(&b, "eta:      |%s|\n          %s\n", line, header)
	}
	golden(t, "render.golden", b.String())
}

func TestIntro(t *testing.T) {
	golden(t, "intro.golden", Intro(State{Slots: 3, CPUs: 2}))
}

// The bar is exactly as wide as the terminal, whatever its text.
func TestBarWidth(t *testing.T) {
	for _, c := range states {
		for _, w := range []int{1, 2, 7, 40, 200} {
			line := visible(AppendBar(nil, c.s, w))
			line = strings.NewReplacer("<rev>", "", "<reset>", "").Replace(line)
			if n := len([]rune(line)); n != w {
				t.Errorf("%s: bar of width %d is %d wide: %q", c.name, w, n, line)
			}
		}
	}
}

func TestUnits(t *testing.T) {
	for secs, want := range map[int64]string{
		0: "0s", 59: "59s", 60: "1m00s", 61: "1m01s", 3599: "59m59s", 3600: "1h00m00s",
		86399: "23h59m59s", 86400: "1d00h00m00s", 90061: "1d01h01m01s", 10 * 86400: "10d00h00m00s",
	} {
		if got := string(AppendUnits(nil, secs)); got != want {
			t.Errorf("AppendUnits(%d) = %q, want %q", secs, got, want)
		}
	}
}

func TestEstimate(t *testing.T) {
	for _, c := range []struct {
		name string
		s    State
		want Estimate
	}{
		{"none finished", State{Total: 10, Slots: 2}, Estimate{Known: true, Left: 10}},
		{"unknown total", State{Completed: 2, Slots: 2, Busy: 4 * time.Second}, Estimate{Avg: 1}},
		// 8 left at 2s each, 4 at once: 4s.
		{"slots full", State{Completed: 2, Total: 10, Slots: 4, Busy: 4 * time.Second}, Estimate{Known: true, Left: 8, Percent: 20, Avg: 0.5, ETA: 4}},
		// Fewer left than slots: they take one runtime.
		{"slots not full", State{Completed: 8, Total: 10, Slots: 4, Busy: 16 * time.Second}, Estimate{Known: true, Left: 2, Percent: 80, Avg: 0.5, ETA: 2}},
		{"done", State{Completed: 10, Total: 10, Slots: 4, Busy: 16 * time.Second}, Estimate{Known: true, Percent: 100, Avg: 0.4}},
		{"no slots given", State{Completed: 1, Total: 3, Busy: time.Second}, Estimate{Known: true, Left: 2, Percent: 33, Avg: 1, ETA: 2}},
	} {
		if got := c.s.Estimate(); got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}

// Whatever the numbers and the arguments, the bar is exactly as wide as
// the terminal, and the status lines are one line.
func FuzzRender(f *testing.F) {
	f.Add("a b", int64(3), int64(1), int64(4), 2, 40, int64(1e9))
	f.Add("héllo\nwörld\x1b[31m", int64(0), int64(0), int64(0), 0, 1, int64(0))
	f.Add("", int64(9), int64(12), int64(5), 64, 300, int64(-5))
	f.Fuzz(func(t *testing.T, arg string, started, completed, total int64, slots, width int, busy int64) {
		if width < 1 || width > 1000 || completed < 0 || started < 0 || total < 0 || slots < 0 || busy < 0 ||
			completed > 1<<40 || started > 1<<40 || total > 1<<40 {
			t.Skip()
		}
		s := State{Started: started, Completed: completed, Total: total, Slots: slots, Busy: time.Duration(busy), Arg: arg}
		line := strings.NewReplacer("<rev>", "", "<reset>", "").Replace(visible(AppendBar(nil, s, width)))
		if n := len([]rune(line)); n != width {
			t.Errorf("bar of width %d is %d wide: %q", width, n, line)
		}
		for _, eta := range []bool{false, true} {
			status, header := AppendStatus(nil, s, width, eta)
			if strings.ContainsAny(string(status)+header, "\r\n") {
				t.Errorf("status %q, header %q break the line", status, header)
			}
		}
	})
}
