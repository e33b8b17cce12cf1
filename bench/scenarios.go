//go:build unix

package main

import (
	"fmt"
	"strconv"
)

// env is what every scenario needs: the temporary directory, the binaries
// and which peers are installed.
type env struct {
	dir     string
	fanout  string
	spawner string
	have    map[string]bool // installed peers by name
}

// peers appends to tools those of the peers that are installed.
func (e *env) peers(tools []tool, peers ...tool) []tool {
	for _, p := range peers {
		if e.have[p.name] {
			tools = append(tools, p)
		}
	}
	return tools
}

// scenario is one measurement with its targets.
type scenario struct {
	title func() string
	run   func(e *env)
}

const spawnJobs = 2000

// order is the order of the rows of a table.
var order = []string{"spawner", "fanout", "xargs", "rush", "parallel"}

func j() string { return strconv.Itoa(*jobs) }

func seq(e *env, n int) string {
	return writeLines(e.dir, "seq"+strconv.Itoa(n), n, strconv.Itoa)
}

var scenarios = []scenario{
	{func() string { return fmt.Sprintf("%d `true` jobs at -j%s", spawnJobs, j()) }, func(e *env) {
		in := seq(e, spawnJobs)
		tools := e.peers([]tool{
			{name: "spawner", argv: []string{e.spawner, "-j", j(), "true"}, stdin: in},
			{name: "fanout", argv: []string{e.fanout, "-j" + j(), "true"}, stdin: in},
		},
			tool{name: "xargs", argv: []string{"xargs", "-P" + j(), "-n1", "true"}, stdin: in},
			tool{name: "rush", argv: []string{*rushF, "-j", j(), "true {}"}, stdin: in},
			tool{name: "parallel", argv: []string{*parallel, "-j" + j(), "true"}, stdin: in})
		res := compare(tools, *rounds)
		table(res, order, "spawner", spawnJobs)
		f := res.wall("fanout")
		fs, fx, fr, pf := ratio(f, res.wall("spawner")), ratio(f, res.wall("xargs")), ratio(f, res.wall("rush")), ratio(res.wall("parallel"), f)
		fmt.Printf("  fanout/spawner %.2fx  fanout/xargs %.2fx  fanout/rush %.2fx  parallel/fanout %.2fx\n", fs, fx, fr, pf)
		verdict(fs <= 1.10, "1. true jobs: fanout %.2fx the minimal spawner (target <= 1.10)", fs)
		if e.have["xargs"] {
			verdict(fx < 1, "1. true jobs: fanout %.2fx xargs -P%s -n1 (target < 1)", fx, j())
		}
		if e.have["rush"] {
			verdict(fr < 1, "1. true jobs: fanout %.2fx rush (target < 1)", fr)
		}
		if e.have["parallel"] {
			verdict(pf >= 5, "1. true jobs: GNU parallel %.2fx fanout (target >= 5)", pf)
		}
	}},
	{func() string {
		return fmt.Sprintf("%d `echo {}` jobs with -k at -j%s, output to /dev/null", spawnJobs, j())
	}, func(e *env) {
		in := seq(e, spawnJobs)
		tools := e.peers([]tool{
			{name: "spawner", argv: []string{e.spawner, "-j", j(), "echo"}, stdin: in},
			{name: "fanout", argv: []string{e.fanout, "-k", "-j" + j(), "echo", "{}"}, stdin: in},
		},
			tool{name: "xargs", argv: []string{"xargs", "-P" + j(), "-n1", "echo"}, stdin: in},
			tool{name: "rush", argv: []string{*rushF, "-k", "-j", j(), "echo {}"}, stdin: in},
			tool{name: "parallel", argv: []string{*parallel, "-k", "-j" + j(), "echo", "{}"}, stdin: in})
		res := compare(tools, *rounds)
		table(res, order, "spawner", spawnJobs)
		fmt.Println("  (the spawner and xargs print in order of completion)")
		r := ratio(res.wall("fanout"), res.wall("spawner"))
		verdict(r <= 1.15, "2. echo -k: fanout %.2fx the minimal spawner (target <= 1.15)", r)
	}},
	{func() string { return fmt.Sprintf("%d shell-line jobs `true; true` at -j%s", spawnJobs, j()) }, func(e *env) {
		in := seq(e, spawnJobs)
		sh := []string{"PARALLEL_SHELL=/bin/sh"}
		tools := e.peers([]tool{
			{name: "spawner", argv: []string{e.spawner, "-j", j(), "-sh", "true; true"}, stdin: in},
			{name: "fanout", argv: []string{e.fanout, "-j" + j(), "true; true"}, stdin: in, env: sh},
		},
			tool{name: "xargs", argv: []string{"xargs", "-P" + j(), "-n1", "sh", "-c", `true; true "$0"`}, stdin: in},
			tool{name: "rush", argv: []string{*rushF, "-j", j(), "true; true {}"}, stdin: in},
			tool{name: "parallel", argv: []string{*parallel, "-j" + j(), "true; true"}, stdin: in, env: sh})
		res := compare(tools, *rounds)
		table(res, order, "spawner", spawnJobs)
		fmt.Println("  (the spawner runs sh -c 'true; true N'; fanout and parallel with PARALLEL_SHELL=/bin/sh)")
		r := ratio(res.wall("fanout"), res.wall("spawner"))
		verdict(r <= 1.10, "3. shell lines: fanout %.2fx the minimal spawner running sh -c (target <= 1.10)", r)
	}},
	{func() string {
		return fmt.Sprintf("8 jobs x 256 MiB to stdout, grouped, -j%s, to /dev/null", j())
	}, func(e *env) {
		const size = 256 << 20
		gen := fmt.Sprintf("head -c %d /dev/zero", size)
		args := []string{gen + " #", ":::", "1", "2", "3", "4", "5", "6", "7", "8"}
		tools := e.peers([]tool{
			{name: "cat", argv: []string{"/bin/sh", "-c", fmt.Sprintf("head -c %d /dev/zero | cat", 8*size)}},
			{name: "fanout", argv: append([]string{e.fanout, "-j" + j()}, args...)},
			{name: "fanout -k", argv: append([]string{e.fanout, "-k", "-j" + j()}, args...)},
		},
			tool{name: "parallel", argv: append([]string{*parallel, "-j" + j()}, args...)})
		if e.have["parallel"] {
			tools = append(tools, tool{name: "parallel -k", argv: append([]string{*parallel, "-k", "-j" + j()}, args...)})
		}
		fmt.Println("  (xargs left out: it cannot group output; rush left out: it takes many minutes over newline-free output)")
		res := compare(tools, *rounds)
		table(res, []string{"cat", "fanout", "fanout -k", "parallel", "parallel -k"}, "cat", 0)
		gib := 8.0 * size / (1 << 30)
		fmt.Printf("  throughput: cat %.2f GiB/s, fanout %.2f GiB/s, fanout -k %.2f GiB/s",
			gib/res.wall("cat"), gib/res.wall("fanout"), gib/res.wall("fanout -k"))
		if e.have["parallel"] {
			fmt.Printf(", parallel %.2f GiB/s, parallel -k %.2f GiB/s", gib/res.wall("parallel"), gib/res.wall("parallel -k"))
		}
		fmt.Println()
		fmt.Printf("  CPU, the tool and its jobs: cat %.2fx fanout's, %.2fx fanout -k's\n",
			ratio(res.cpu("cat"), res.cpu("fanout")), ratio(res.cpu("cat"), res.cpu("fanout -k")))
		r, m := ratio(res.wall("cat"), res.wall("fanout")), max(res.rss("fanout"), res.rss("fanout -k"))
		k := ratio(res.wall("fanout -k"), res.wall("fanout"))
		verdict(r >= 0.7, "4. output: fanout throughput %.2fx cat through one pipe (target >= 0.7)", r)
		verdict(k <= 1, "4. output: fanout -k takes %.2fx the time of --group (target <= 1)", k)
		verdict(m <= 64, "4. output: fanout peak RSS %.1f MiB, with or without -k (target <= 64)", m)
	}},
	{func() string {
		if *quick {
			return fmt.Sprintf("memory flat: peak RSS with 1,000 vs 20,000 `true` jobs at -j%s (-quick; the target is 100,000)", j())
		}
		return fmt.Sprintf("memory flat: peak RSS with 1,000 vs 100,000 `true` jobs at -j%s", j())
	}, func(e *env) {
		many := 100000
		if *quick {
			many = 20000
		}
		small, large := seq(e, 1000), seq(e, many)
		n := max(1, (*rounds+1)/2)
		fmt.Printf("  (%d rounds, fanout only)\n", n)
		res := compare([]tool{
			{name: "1000", argv: []string{e.fanout, "-j" + j(), "true"}, stdin: small},
			{name: "many", argv: []string{e.fanout, "-j" + j(), "true"}, stdin: large},
		}, n)
		a, b := res.rss("1000"), res.rss("many")
		fmt.Printf("  1,000 jobs: %.1f MiB in %.2fs; %d jobs: %.1f MiB in %.2fs\n", a, res.wall("1000"), many, b, res.wall("many"))
		r := ratio(b, a)
		verdict(r <= 1.10, "5. memory flat: %d jobs use %.2fx the peak RSS of 1,000 (target <= 1.10)", many, r)
	}},
	{func() string { return "--dry-run echo {} over 1,000,000 input lines" }, func(e *env) {
		in := seq(e, 1000000)
		fmt.Println("  (fanout only)")
		res := compare([]tool{{name: "fanout", argv: []string{e.fanout, "--dry-run", "echo", "{}"}, stdin: in}}, *rounds)
		w, m := res.wall("fanout"), res.rss("fanout")
		rate := ratio(1e6, w)
		fmt.Printf("  %.3fs, %.0f lines/s, peak RSS %.1f MiB\n", w, rate, m)
		verdict(rate >= 500000, "6. dry run: %.0f lines/s (target >= 500,000)", rate)
		verdict(m <= 64, "6. dry run: peak RSS %.1f MiB (target <= 64)", m)
	}},
	{func() string { return "start-up: one `true` job" }, func(e *env) {
		in := writeLines(e.dir, "x", 1, func(int) string { return "x" })
		n := max(30, *rounds)
		fmt.Printf("  (%d rounds)\n", n)
		tools := e.peers([]tool{
			{name: "spawner", argv: []string{e.spawner, "-j", j(), "true"}, stdin: in},
			{name: "fanout", argv: []string{e.fanout, "true", ":::", "x"}},
		},
			tool{name: "xargs", argv: []string{"xargs", "true"}, stdin: in},
			tool{name: "rush", argv: []string{*rushF, "true {}"}, stdin: in},
			tool{name: "parallel", argv: []string{*parallel, "true", ":::", "x"}})
		res := compare(tools, n)
		table(res, order, "spawner", 0)
		d := (res.wall("fanout") - res.wall("spawner")) * 1000
		verdict(d <= 3, "7. start-up: fanout %.2f ms over the minimal spawner (target <= 3 ms)", d)
	}},
}
