// Command bench measures fanout side by side with its peers (xargs -P, GNU
// parallel, rush) and with a minimal Go spawner, in one run, alternating
// the tools round by round, and prints medians and ratios for each
// scenario of the performance targets.
//
//	go run ./bench              # every scenario, 5 rounds
//	go run ./bench -only 1,4 -rounds 9
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

var (
	rounds   = flag.Int("rounds", 5, "rounds per scenario (medians are taken over them)")
	only     = flag.String("only", "", "comma-separated scenario numbers to run (default all)")
	quick    = flag.Bool("quick", false, "smaller inputs for scenario 5 (20,000 jobs instead of 100,000)")
	fanoutF  = flag.String("fanout", "", "fanout binary (default: built from this module)")
	rushF    = flag.String("rush", envOr("FANOUT_RUSH", "rush"), "rush binary")
	parallel = flag.String("parallel", "parallel", "GNU parallel binary")
)

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// tool is one command line to time: argv, standard input from a file.
type tool struct {
	name  string
	argv  []string
	stdin string
	env   []string
}

// sample is one timed run.
type sample struct {
	wall time.Duration
	rss  float64 // MiB, of the tool's own process
}

// measure runs t once, output to /dev/null.
func measure(t tool) (sample, error) {
	cmd := exec.Command(t.argv[0], t.argv[1:]...)
	cmd.Env = append(os.Environ(), t.env...)
	if t.stdin != "" {
		f, err := os.Open(t.stdin)
		if err != nil {
			return sample{}, err
		}
		defer f.Close()
		cmd.Stdin = f
	}
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return sample{}, err
	}
	defer null.Close()
	cmd.Stdout, cmd.Stderr = null, null
	start := time.Now()
	err = cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return sample{}, fmt.Errorf("%s: %v", t.name, err)
	}
	return sample{wall: wall, rss: float64(cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss) / 1024}, nil
}

// compare runs the tools in alternation for the given rounds and returns
// each tool's samples.
func compare(tools []tool, n int) map[string][]sample {
	out := map[string][]sample{}
	for r := 0; r < n; r++ {
		for i := range tools {
			t := tools[(i+r)%len(tools)] // rotate who goes first
			s, err := measure(t)
			if err != nil {
				fmt.Fprintf(os.Stderr, "  %v (skipped)\n", err)
				continue
			}
			out[t.name] = append(out[t.name], s)
		}
	}
	return out
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func medWall(ss []sample) float64 {
	var xs []float64
	for _, s := range ss {
		xs = append(xs, s.wall.Seconds())
	}
	return median(xs)
}

func medRSS(ss []sample) float64 {
	var xs []float64
	for _, s := range ss {
		xs = append(xs, s.rss)
	}
	return median(xs)
}

// found reports whether a peer is installed.
func found(bin string) bool {
	_, err := exec.LookPath(bin)
	return err == nil
}

// verdicts collects the PASS/MISS lines printed at the end.
var verdicts []string

func verdict(ok bool, format string, args ...any) {
	v := "MISS"
	if ok {
		v = "PASS"
	}
	verdicts = append(verdicts, fmt.Sprintf("%s  %s", v, fmt.Sprintf(format, args...)))
}

// table prints each tool's median and its ratio to the base tool.
func table(res map[string][]sample, order []string, base string, jobs int) {
	b := medWall(res[base])
	fmt.Printf("  %-10s %10s %10s %9s %9s\n", "tool", "median", "ms/job", "vs "+base, "peak RSS")
	for _, name := range order {
		ss, ok := res[name]
		if !ok {
			continue
		}
		w := medWall(ss)
		perJob := ""
		if jobs > 0 {
			perJob = fmt.Sprintf("%.3f", w*1000/float64(jobs))
		}
		fmt.Printf("  %-10s %9.3fs %10s %8.2fx %7.1fMB\n", name, w, perJob, w/b, medRSS(ss))
	}
}

func writeLines(dir, name string, n int, f func(int) string) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		b.WriteString(f(i))
		b.WriteByte('\n')
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		fatal(err)
	}
	return p
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "bench:", err)
	os.Exit(1)
}

func build(dir, out, pkg string) string {
	p := filepath.Join(dir, out)
	cmd := exec.Command("go", "build", "-o", p, pkg)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		fatal(fmt.Errorf("go build %s: %v", pkg, err))
	}
	return p
}

func main() {
	flag.Parse()
	dir, err := os.MkdirTemp("", "fanout-bench")
	if err != nil {
		fatal(err)
	}
	defer os.RemoveAll(dir)
	fo := *fanoutF
	if fo == "" {
		fo = build(dir, "fanout", "./cmd/fanout")
	}
	sp := build(dir, "spawner", "./bench/spawner")
	want := map[int]bool{}
	for _, s := range strings.Split(*only, ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil {
			want[n] = true
		}
	}
	run := func(n int) bool { return len(want) == 0 || want[n] }
	peers := map[string]bool{"xargs": found("xargs"), "rush": found(*rushF), "parallel": found(*parallel)}
	for name, ok := range peers {
		if !ok {
			fmt.Printf("note: %s not found; left out\n", name)
		}
	}
	env := &scenarioEnv{dir: dir, fanout: fo, spawner: sp, peers: peers}
	for i, sc := range scenarios {
		if run(i + 1) {
			fmt.Printf("\n== %d. %s\n", i+1, sc.title)
			sc.run(env)
		}
	}
	fmt.Println("\n== targets")
	for _, v := range verdicts {
		fmt.Println(v)
	}
}
