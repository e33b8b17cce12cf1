//go:build unix

// Command bench measures fanout side by side with its peers (xargs -P, GNU
// parallel, rush) and with a minimal Go spawner, in one run, alternating
// the tools round by round, and prints medians, ratios and a PASS/MISS line
// for each performance target.
//
//	go run ./bench              # every scenario, 5 rounds
//	go run ./bench -only 1,4 -rounds 9
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

var (
	rounds   = flag.Int("rounds", 5, "rounds per scenario; medians are taken over them")
	only     = flag.String("only", "", "comma-separated scenario numbers to run (default: all)")
	quick    = flag.Bool("quick", false, "scenario 5 with 20,000 jobs instead of 100,000")
	jobs     = flag.Int("j", 2, "jobs at once for every tool (the targets assume 2)")
	fanoutF  = flag.String("fanout", "", "fanout binary (default: built from this module)")
	rushF    = flag.String("rush", envOr("FANOUT_RUSH", "rush"), "rush binary (or $FANOUT_RUSH)")
	parallel = flag.String("parallel", envOr("FANOUT_PARALLEL", "parallel"), "GNU parallel binary (or $FANOUT_PARALLEL)")
	timeout  = flag.Duration("timeout", 5*time.Minute, "give up on one run of a tool after this long")
)

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// tool is one command line to time, with standard input from a file (or
// none) and output to /dev/null.
type tool struct {
	name  string
	argv  []string
	stdin string   // file for standard input; empty for /dev/null
	env   []string // added to the environment
}

// sample is one timed run of a tool.
type sample struct {
	wall time.Duration
	rss  float64 // peak RSS of the tool's own process (not its jobs), MiB
	// cpu is the user and system time of the tool and of the processes
	// it waited for (its jobs): on a machine shared with other work, it
	// tells what a tool costs where the wall time tells mostly the load.
	cpu time.Duration
}

// peakBin is the peak command that every tool runs under.
var peakBin string

// measure runs t once and returns its wall time and peak RSS, as the peak
// command reads it from the tool's rusage. Standard error is kept to
// explain a failure.
func measure(t tool) (sample, error) {
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	rssFile, err := os.CreateTemp("", "fanout-bench-rss")
	if err != nil {
		return sample{}, err
	}
	rssFile.Close()
	defer os.Remove(rssFile.Name())
	argv := append([]string{peakBin, rssFile.Name()}, t.argv...)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), t.env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
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
	errf, err := os.CreateTemp("", "fanout-bench-stderr")
	if err != nil {
		return sample{}, err
	}
	defer os.Remove(errf.Name())
	defer errf.Close()
	cmd.Stdout, cmd.Stderr = null, errf

	start := time.Now()
	err = cmd.Run()
	wall := time.Since(start)
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			err = fmt.Errorf("still running after %v, killed", *timeout)
		}
		return sample{}, fmt.Errorf("%s: %v%s", t.name, err, tail(errf))
	}
	b, err := os.ReadFile(rssFile.Name())
	if err != nil {
		return sample{}, err
	}
	var kib float64
	var cpu int64
	if _, err := fmt.Sscan(string(b), &kib, &cpu); err != nil {
		return sample{}, fmt.Errorf("%s: peak RSS and CPU time %q: %v", t.name, b, err)
	}
	return sample{wall: wall, rss: kib / 1024, cpu: time.Duration(cpu) * time.Microsecond}, nil
}

// tail returns the end of a tool's standard error, for an error message.
func tail(f *os.File) string {
	b, _ := io.ReadAll(io.NewSectionReader(f, 0, 1<<20))
	s := strings.TrimSpace(string(b))
	if s == "" {
		return ""
	}
	if len(s) > 300 {
		s = "..." + s[len(s)-300:]
	}
	return "\n    " + strings.ReplaceAll(s, "\n", "\n    ")
}

// results holds each tool's samples by name.
type results map[string][]sample

// compare runs the tools n rounds in alternation (A B C A B C ...). A tool
// that fails is reported and dropped from the rest of the scenario.
func compare(tools []tool, n int) results {
	res := results{}
	failed := map[string]bool{}
	for r := 0; r < n; r++ {
		fmt.Fprintf(os.Stderr, "\r  round %d/%d ", r+1, n)
		for _, t := range tools {
			if failed[t.name] {
				continue
			}
			s, err := measure(t)
			if err != nil {
				fmt.Fprintf(os.Stderr, "\r")
				fmt.Printf("  FAILED %v\n", err)
				failed[t.name] = true
				delete(res, t.name)
				continue
			}
			res[t.name] = append(res[t.name], s)
		}
	}
	fmt.Fprintf(os.Stderr, "\r              \r")
	return res
}

// wall returns the median wall time of a tool in seconds, NaN if it has no
// samples.
func (res results) wall(name string) float64 {
	var xs []float64
	for _, s := range res[name] {
		xs = append(xs, s.wall.Seconds())
	}
	return median(xs)
}

// cpu returns the median CPU time of a tool and its jobs in seconds, NaN
// if it has no samples.
func (res results) cpu(name string) float64 {
	var xs []float64
	for _, s := range res[name] {
		xs = append(xs, s.cpu.Seconds())
	}
	return median(xs)
}

// rss returns the largest peak RSS of a tool over its rounds in MiB, NaN if
// it has no samples.
func (res results) rss(name string) float64 {
	if len(res[name]) == 0 {
		return math.NaN()
	}
	m := 0.0
	for _, s := range res[name] {
		m = max(m, s.rss)
	}
	return m
}

// median returns the median of xs, NaN if xs is empty.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// ratio returns a/b, NaN if either is missing (NaN) or b is not positive,
// so that a target checked against it is missed rather than passed.
func ratio(a, b float64) float64 {
	if math.IsNaN(a) || math.IsNaN(b) || b <= 0 {
		return math.NaN()
	}
	return a / b
}

// verdicts collects the PASS/MISS lines printed at the end.
var verdicts []string

// verdict records a target as PASS if ok, else MISS.
func verdict(ok bool, format string, args ...any) {
	v := "MISS"
	if ok {
		v = "PASS"
	}
	verdicts = append(verdicts, v+"  "+fmt.Sprintf(format, args...))
}

// table prints each tool's median wall time, time per job (if jobs > 0),
// ratio to the base tool, peak RSS, and median CPU time with its ratio to
// the base tool's, in the given order.
func table(res results, order []string, base string, jobs int) {
	b := res.wall(base)
	fmt.Printf("  %-12s %9s %8s %9s %10s %8s %9s\n", "tool", "median", "ms/job", "vs "+base, "peak RSS", "CPU", "CPU vs")
	for _, name := range order {
		if _, ok := res[name]; !ok {
			continue
		}
		w := res.wall(name)
		perJob := "-"
		if jobs > 0 {
			perJob = fmt.Sprintf("%.3f", w*1000/float64(jobs))
		}
		c := res.cpu(name)
		fmt.Printf("  %-12s %8.3fs %8s %8.2fx %7.1f MiB %7.3fs %8.2fx\n", name, w, perJob, ratio(w, b), res.rss(name), c, ratio(c, res.cpu(base)))
	}
}

// writeLines writes lines f(1)..f(n) to a file in dir and returns its path.
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

// build compiles a package of this module into dir.
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
	if *rounds < 1 || *jobs < 1 {
		fatal(errors.New("-rounds and -j must be at least 1"))
	}
	want := map[int]bool{}
	for _, s := range strings.Split(*only, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > len(scenarios) {
			fatal(fmt.Errorf("-only: no scenario %q (1-%d)", s, len(scenarios)))
		}
		want[n] = true
	}

	dir, err := os.MkdirTemp("", "fanout-bench")
	if err != nil {
		fatal(err)
	}
	defer os.RemoveAll(dir)
	fo := *fanoutF
	if fo == "" {
		fo = build(dir, "fanout", "github.com/fanoutdev/fanout/cmd/fanout")
	}
	peakBin = build(dir, "peak", "github.com/fanoutdev/fanout/bench/peak")
	e := &env{
		dir:     dir,
		fanout:  fo,
		spawner: build(dir, "spawner", "github.com/fanoutdev/fanout/bench/spawner"),
		have:    map[string]bool{},
	}
	fmt.Printf("fanout bench: %d rounds, -j%d, %d cores, %s/%s\n", *rounds, *jobs, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH)
	for _, p := range []struct{ name, bin string }{{"xargs", "xargs"}, {"rush", *rushF}, {"parallel", *parallel}} {
		if _, err := exec.LookPath(p.bin); err != nil {
			fmt.Printf("note: %s (%s) not found; skipped\n", p.name, p.bin)
			continue
		}
		e.have[p.name] = true
	}
	for i, sc := range scenarios {
		if len(want) == 0 || want[i+1] {
			fmt.Printf("\n== %d. %s\n", i+1, sc.title())
			sc.run(e)
		}
	}
	fmt.Println("\n== targets")
	for _, v := range verdicts {
		fmt.Println(v)
	}
}
