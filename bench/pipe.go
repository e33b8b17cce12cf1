//go:build unix

package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// The block-mode scenarios: a gigabyte of lines cut into 1 MiB blocks for
// `wc -l` jobs, read from standard input (--pipe) or from the file
// (--pipepart), against the same bytes through one pipe into one wc.
func init() {
	scenarios = append(scenarios,
		scenario{func() string {
			return fmt.Sprintf("1 GiB of lines through --pipe --block 1M -j%s wc -l (stdin from the file)", j())
		}, func(e *env) {
			in := gigabyte(e)
			cmd := []string{"--pipe", "--block", "1M", "-j" + j(), "wc", "-l"}
			tools := e.peers([]tool{catWc(in), {name: "fanout", argv: append([]string{e.fanout}, cmd...), stdin: in}},
				tool{name: "parallel", argv: append([]string{*parallel}, cmd...), stdin: in})
			res := compare(tools, *rounds)
			pipeVerdicts(res, "8. --pipe", 0.5, 10)
		}},
		scenario{func() string {
			return fmt.Sprintf("1 GiB of lines through --pipepart -a FILE --block 1M -j%s wc -l", j())
		}, func(e *env) {
			in := gigabyte(e)
			cmd := []string{"--pipepart", "-a", in, "--block", "1M", "-j" + j(), "wc", "-l"}
			tools := e.peers([]tool{catWc(in), {name: "fanout", argv: append([]string{e.fanout}, cmd...)}},
				tool{name: "parallel", argv: append([]string{*parallel}, cmd...)})
			res := compare(tools, *rounds)
			pipeVerdicts(res, "9. --pipepart", 0.8, 1)
		}},
	)
}

// catWc is the floor: the file through one pipe into one `wc -l`.
func catWc(file string) tool {
	return tool{name: "cat", argv: []string{"/bin/sh", "-c", `cat "$0" | wc -l`, file}}
}

// pipeVerdicts prints the table and throughputs of a block-mode scenario
// and checks fanout's against cat's and GNU parallel's.
func pipeVerdicts(res results, name string, vsCat, vsParallel float64) {
	table(res, []string{"cat", "fanout", "parallel"}, "cat", 0)
	fmt.Printf("  throughput: cat %.2f GiB/s, fanout %.2f GiB/s", 1/res.wall("cat"), 1/res.wall("fanout"))
	if _, ok := res["parallel"]; ok {
		fmt.Printf(", parallel %.2f GiB/s", 1/res.wall("parallel"))
	}
	fmt.Println()
	c, p := ratio(res.wall("cat"), res.wall("fanout")), ratio(res.wall("parallel"), res.wall("fanout"))
	fmt.Printf("  fanout/cat throughput %.2fx  fanout/parallel throughput %.2fx\n", c, p)
	verdict(c >= vsCat, "%s: fanout throughput %.2fx cat FILE | wc -l (target >= %.1f)", name, c, vsCat)
	if _, ok := res["parallel"]; ok {
		if vsParallel > 1 {
			verdict(p >= vsParallel, "%s: fanout throughput %.2fx GNU parallel's (target >= %.0f)", name, p, vsParallel)
		} else {
			verdict(p > vsParallel, "%s: fanout throughput %.2fx GNU parallel's (target: ahead)", name, p)
		}
	}
}

// gigabyte writes 1 GiB of numbered lines once per run, and returns its
// path.
func gigabyte(e *env) string {
	p := filepath.Join(e.dir, "gigabyte")
	if _, err := os.Stat(p); err == nil {
		return p
	}
	f, err := os.Create(p)
	if err != nil {
		fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	var line []byte
	for n, i := 0, 1; n < 1<<30; i++ {
		line = strconv.AppendInt(line[:0], int64(i), 10)
		line = append(line, '\n')
		line = line[:min(len(line), 1<<30-n)]
		w.Write(line)
		n += len(line)
	}
	if err := w.Flush(); err != nil {
		fatal(err)
	}
	if err := f.Close(); err != nil {
		fatal(err)
	}
	return p
}
