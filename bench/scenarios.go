package main

import (
	"fmt"
	"strconv"
)

// scenarioEnv is what every scenario needs.
type scenarioEnv struct {
	dir     string
	fanout  string
	spawner string
	peers   map[string]bool
}

// withPeers adds the installed peers to a list of tools.
func (e *scenarioEnv) withPeers(tools []tool, peers ...tool) []tool {
	for _, p := range peers {
		if e.peers[p.name] {
			tools = append(tools, p)
		}
	}
	return tools
}

type scenario struct {
	title string
	run   func(e *scenarioEnv)
}

const spawnJobs = 2000

var scenarios = []scenario{
	{"2000 `true` jobs at -j2", func(e *scenarioEnv) {
		in := writeLines(e.dir, "seq2000", spawnJobs, strconv.Itoa)
		tools := []tool{
			{name: "spawner", argv: []string{e.spawner, "-j", "2", "true"}, stdin: in},
			{name: "fanout", argv: []string{e.fanout, "-j2", "true"}, stdin: in},
		}
		tools = e.withPeers(tools,
			tool{name: "xargs", argv: []string{"xargs", "-P2", "-n1", "true"}, stdin: in},
			tool{name: "rush", argv: []string{*rushF, "-j", "2", "true {}"}, stdin: in},
			tool{name: "parallel", argv: []string{*parallel, "-j2", "true"}, stdin: in})
		res := compare(tools, *rounds)
		table(res, []string{"spawner", "fanout", "xargs", "rush", "parallel"}, "spawner", spawnJobs)
		f, s := medWall(res["fanout"]), medWall(res["spawner"])
		verdict(f <= 1.10*s, "1. true jobs: fanout %.2fx the minimal spawner (target <= 1.10)", f/s)
		if x, ok := res["xargs"]; ok {
			verdict(f < medWall(x), "1. true jobs: fanout %.2fx xargs -P2 -n1 (target < 1)", f/medWall(x))
		}
		if r, ok := res["rush"]; ok {
			verdict(f < medWall(r), "1. true jobs: fanout %.2fx rush (target < 1)", f/medWall(r))
		}
		if p, ok := res["parallel"]; ok {
			verdict(medWall(p) >= 5*f, "1. true jobs: GNU parallel %.2fx fanout (target >= 5)", medWall(p)/f)
		}
	}},
	{"2000 `echo {}` jobs with -k at -j2", func(e *scenarioEnv) {
		in := writeLines(e.dir, "seq2000", spawnJobs, strconv.Itoa)
		tools := []tool{
			{name: "spawner", argv: []string{e.spawner, "-j", "2", "echo"}, stdin: in},
			{name: "fanout", argv: []string{e.fanout, "-k", "-j2", "echo", "{}"}, stdin: in},
		}
		tools = e.withPeers(tools,
			tool{name: "xargs", argv: []string{"xargs", "-P2", "-n1", "echo"}, stdin: in},
			tool{name: "rush", argv: []string{*rushF, "-k", "-j", "2", "echo {}"}, stdin: in},
			tool{name: "parallel", argv: []string{*parallel, "-k", "-j2", "echo", "{}"}, stdin: in})
		res := compare(tools, *rounds)
		table(res, []string{"spawner", "fanout", "xargs", "rush", "parallel"}, "spawner", spawnJobs)
		f, s := medWall(res["fanout"]), medWall(res["spawner"])
		verdict(f <= 1.15*s, "2. echo -k: fanout %.2fx the minimal spawner (target <= 1.15)", f/s)
	}},
	{"2000 shell-line jobs `true; true` at -j2", func(e *scenarioEnv) {
		in := writeLines(e.dir, "seq2000", spawnJobs, strconv.Itoa)
		sh := []string{"PARALLEL_SHELL=/bin/sh"}
		tools := []tool{
			{name: "spawner", argv: []string{e.spawner, "-j", "2", "-sh", "true; true"}, stdin: in},
			{name: "fanout", argv: []string{e.fanout, "-j2", "true; true"}, stdin: in, env: sh},
		}
		tools = e.withPeers(tools,
			tool{name: "parallel", argv: []string{*parallel, "-j2", "true; true"}, stdin: in, env: sh})
		res := compare(tools, *rounds)
		table(res, []string{"spawner", "fanout", "parallel"}, "spawner", spawnJobs)
		f, s := medWall(res["fanout"]), medWall(res["spawner"])
		verdict(f <= 1.10*s, "3. shell lines: fanout %.2fx the minimal spawner running sh -c (target <= 1.10)", f/s)
	}},
	{"8 jobs x 256 MiB to stdout, grouped, -j2, to /dev/null", func(e *scenarioEnv) {
		const size = 256 << 20
		gen := fmt.Sprintf("head -c %d /dev/zero", size)
		tools := []tool{
			{name: "cat", argv: []string{"/bin/sh", "-c", fmt.Sprintf("head -c %d /dev/zero | cat", 8*size)}},
			{name: "fanout", argv: []string{e.fanout, "-j2", gen + " #", ":::", "1", "2", "3", "4", "5", "6", "7", "8"}},
		}
		tools = e.withPeers(tools,
			tool{name: "parallel", argv: []string{*parallel, "-j2", gen + " #", ":::", "1", "2", "3", "4", "5", "6", "7", "8"}})
		res := compare(tools, *rounds)
		table(res, []string{"cat", "fanout", "parallel"}, "cat", 0)
		f, c := medWall(res["fanout"]), medWall(res["cat"])
		gib := 8.0 * size / (1 << 30)
		fmt.Printf("  throughput: cat %.2f GiB/s, fanout %.2f GiB/s\n", gib/c, gib/f)
		verdict(c/f >= 0.7, "4. output: fanout throughput %.2fx cat through one pipe (target >= 0.7)", c/f)
		verdict(medRSS(res["fanout"]) <= 64, "4. output: fanout peak RSS %.1f MiB (target <= 64)", medRSS(res["fanout"]))
	}},
	{"memory with many jobs: 1,000 vs 100,000 `true` jobs at -j2", func(e *scenarioEnv) {
		many := 100000
		if *quick {
			many = 20000
		}
		small := writeLines(e.dir, "seq1000", 1000, strconv.Itoa)
		large := writeLines(e.dir, "seqmany", many, strconv.Itoa)
		n := max(1, *rounds/2)
		res := compare([]tool{
			{name: "1000", argv: []string{e.fanout, "-j2", "true"}, stdin: small},
			{name: strconv.Itoa(many), argv: []string{e.fanout, "-j2", "true"}, stdin: large},
		}, n)
		a, b := medRSS(res["1000"]), medRSS(res[strconv.Itoa(many)])
		fmt.Printf("  peak RSS: %.1f MiB with 1,000 jobs, %.1f MiB with %d jobs (%.2fx)\n", a, b, many, b/a)
		verdict(b <= 1.10*a, "5. memory flat: %d jobs use %.2fx the RSS of 1,000 (target <= 1.10)", many, b/a)
	}},
	{"--dry-run over 1,000,000 input lines", func(e *scenarioEnv) {
		in := writeLines(e.dir, "seq1m", 1000000, strconv.Itoa)
		res := compare([]tool{{name: "fanout", argv: []string{e.fanout, "--dry-run", "echo", "{}"}, stdin: in}}, *rounds)
		w := medWall(res["fanout"])
		rate := 1e6 / w
		fmt.Printf("  %.3fs, %.0f lines/s, peak RSS %.1f MiB\n", w, rate, medRSS(res["fanout"]))
		verdict(rate >= 500000, "6. dry run: %.0f lines/s (target >= 500,000)", rate)
		verdict(medRSS(res["fanout"]) <= 64, "6. dry run: peak RSS %.1f MiB (target <= 64)", medRSS(res["fanout"]))
	}},
	{"start-up: one `true` job", func(e *scenarioEnv) {
		in := writeLines(e.dir, "one", 1, func(int) string { return "x" })
		res := compare([]tool{
			{name: "spawner", argv: []string{e.spawner, "true"}, stdin: in},
			{name: "fanout", argv: []string{e.fanout, "true", ":::", "x"}},
		}, max(30, *rounds))
		f, s := medWall(res["fanout"]), medWall(res["spawner"])
		fmt.Printf("  spawner %.2f ms, fanout %.2f ms\n", s*1000, f*1000)
		verdict(f-s <= 0.003, "7. start-up: fanout %.2f ms over the minimal spawner (target <= 3 ms)", (f-s)*1000)
	}},
}
