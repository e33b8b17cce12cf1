package cpus

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// The samples are /proc/cpuinfo files; the counts are what GNU parallel
// 20221122 printed for each (PARALLEL_CPUINFO=... parallel
// --number-of-sockets, --number-of-cores, --number-of-threads).
func TestParseCPUInfo(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		file string
		want Count
	}{
		{"epyc-2core-kvm.txt", Count{Sockets: 1, Cores: 2, Threads: 2}},
		{"xeon-2socket-ht.txt", Count{Sockets: 2, Cores: 8, Threads: 16}},
		{"raspberrypi4.txt", Count{Sockets: 1, Cores: 4, Threads: 4}},
	} {
		b, err := os.ReadFile(filepath.Join("testdata", tt.file))
		if err != nil {
			t.Fatal(err)
		}
		if got := ParseCPUInfo(b); got != tt.want {
			t.Errorf("%s: %+v, want %+v", tt.file, got, tt.want)
		}
	}
}

func TestReadTopology(t *testing.T) {
	t.Parallel()
	// Two sockets of four cores of two threads, as Linux lays it out.
	got, ok := readTopology(os.DirFS("testdata/sys-2socket-ht"))
	if want := (Count{Sockets: 2, Cores: 8, Threads: 16}); !ok || got != want {
		t.Fatalf("%+v %v, want %+v", got, ok, want)
	}
	if _, ok := readTopology(os.DirFS(t.TempDir())); ok {
		t.Fatal("an empty tree has a topology")
	}
}

func TestComplete(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in     Count
		active int
		want   Count
	}{
		{Count{2, 8, 16}, 16, Count{2, 8, 16}},
		{Count{2, 8, 16}, 2, Count{2, 2, 2}}, // taskset -c 0,1
		{Count{0, 4, 0}, 8, Count{1, 4, 4}},  // the BSDs: cores only
		{Count{}, 3, Count{3, 3, 3}},         // nothing known
	} {
		if got := complete(tt.in, tt.active); got != tt.want {
			t.Errorf("complete(%+v, %d) = %+v, want %+v", tt.in, tt.active, got, tt.want)
		}
	}
}

// TestLocal checks the real machine: every count is at least one, threads
// are what the Go runtime may use, and none exceeds them.
func TestLocal(t *testing.T) {
	t.Parallel()
	c := Local()
	if c.Sockets < 1 || c.Cores < c.Sockets || c.Threads < c.Cores {
		t.Fatalf("%+v", c)
	}
	if c.Threads > runtime.NumCPU() {
		t.Fatalf("%d threads, but this process may use %d", c.Threads, runtime.NumCPU())
	}
}

// FuzzParseCPUInfo: any text counts without panicking, and never fewer
// cores than sockets' worth of nothing: at least one socket.
func FuzzParseCPUInfo(f *testing.F) {
	for _, s := range []string{"epyc-2core-kvm.txt", "xeon-2socket-ht.txt", "raspberrypi4.txt"} {
		b, err := os.ReadFile(filepath.Join("testdata", s))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("processor:\ncore id:\nphysical id"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c := ParseCPUInfo(b)
		if c.Sockets < 1 || c.Cores < 0 || c.Threads < 0 {
			t.Fatalf("%+v", c)
		}
	})
}
