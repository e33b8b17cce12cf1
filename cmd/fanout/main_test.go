package main

import (
	"os"
	"testing"

	"github.com/fanoutdev/fanout/internal/cli"
	"github.com/rogpeppe/go-internal/testscript"
)

// The scripts in testdata/script run the real command, in-process, on real
// processes and pipes.
func TestMain(m *testing.M) {
	// Go tests that need the command as a separate process (to kill it)
	// run this test binary in its place.
	if os.Getenv("FANOUT_TEST_AS_CLI") == "1" {
		os.Exit(cli.Run(os.Args[1:]))
	}
	if out := os.Getenv("FANOUT_TEST_AS_PEAK"); out != "" {
		os.Exit(runPeak(out, os.Args[1], os.Args[2:]...))
	}
	// parallel is fanout run through a link of that name, whose messages
	// begin as GNU parallel's do: scripts compare them with what GNU
	// parallel printed.
	testscript.Main(m, map[string]func(){
		"fanout":   func() { os.Exit(cli.Run(os.Args[1:])) },
		"parallel": func() { os.Exit(cli.Run(os.Args[1:])) },
	})
}

func TestScripts(t *testing.T) {
	t.Parallel()
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			// Jobs run with a predictable shell whatever the caller's.
			env.Setenv("PARALLEL_SHELL", "/bin/sh")
			// fanout is this test binary: see childEnv.
			env.Setenv("GORACE", raceOptions())
			return nil
		},
	})
}
