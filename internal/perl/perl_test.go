package perl

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/fanoutdev/fanout/internal/replace"
)

// start starts perl on exprs, or skips the test where there is no perl.
func start(t *testing.T, exprs []string, cfg Config) *Interp {
	t.Helper()
	if _, err := exec.LookPath("perl"); err != nil {
		t.Skip("no perl")
	}
	if cfg.Path == "" {
		cfg.Path = os.Getenv("PATH")
	}
	p, err := Start(exprs, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func TestEval(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	p := start(t, []string{
		`$_=uc($_)`,
		`$_ = $job->seq() . ":" . slot() . ":" . seq() . ":" . total_jobs() . ":" . $Global::max_jobs_running`,
		`$_ = join(",", map { defined $_ ? $_ : "U" } @arg) . "/" . $#arg`,
		`$_ = "a b"; uq()`,
		`skip() if $_ eq "s"`,
		`$_ = Q($_)`,
		`print "printed\n"; $_ = "x"`,
		`undef $_`,
		`$_ = "\0\n" . length($_)`,
	}, Config{Stdout: &out})
	j := &replace.PerlJob{Seq: 7, Slot: 3, Total: 9, Slots: 4, Values: []string{"a", "s", "it's", "é\n\x00"},
		Calls: []replace.Call{{Expr: 0, Arg: 0}, {Expr: 1, Arg: 0}, {Expr: 2, Arg: 1}, {Expr: 3, Arg: 0}, {Expr: 4, Arg: 0}, {Expr: 5, Arg: 2}, {Expr: 6, Arg: 0}, {Expr: 7, Arg: 0}, {Expr: 8, Arg: 3}}}
	if err := p.Eval(j); err != nil {
		t.Fatal(err)
	}
	want := []replace.Result{{Value: "A"}, {Value: "7:3:7:9:4"}, {Value: "U,a,s,it's,é\n\x00/4"}, {Value: "a b", Unquoted: true},
		{Value: "a"}, {Value: `'it'"'"'s'`}, {Value: "x"}, {Value: ""}, {Value: "\x00\n4"}}
	if fmt.Sprint(j.Results) != fmt.Sprint(want) || j.Skip {
		t.Errorf("results %+v skip %v, want %+v and no skip", j.Results, j.Skip, want)
	}
	j = &replace.PerlJob{Seq: 8, Values: []string{"s"}, Calls: []replace.Call{{Expr: 4, Arg: 0}}}
	if err := p.Eval(j); err != nil || !j.Skip {
		t.Errorf("skip(): %v, skip %v", err, j.Skip)
	}
	p.Close()
	if out.String() != "printed\n" {
		t.Errorf("perl printed %q to its stdout, want %q", out.String(), "printed\n")
	}
}

// Perl's state lasts from job to job, as in GNU parallel: a counter
// counts.
func TestStateAcrossJobs(t *testing.T) {
	t.Parallel()
	p := start(t, []string{`$_ = ++$::n`}, Config{})
	for i := 1; i <= 3; i++ {
		j := &replace.PerlJob{Values: []string{"x"}, Calls: []replace.Call{{Expr: 0, Arg: 0}}}
		if err := p.Eval(j); err != nil || j.Results[0].Value != fmt.Sprint(i) {
			t.Fatalf("job %d: %v %+v", i, err, j.Results)
		}
	}
}

func TestCompileError(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("perl"); err != nil {
		t.Skip("no perl")
	}
	_, err := Start([]string{`$_`, "$_ = (\n$_"}, Config{Path: os.Getenv("PATH")})
	if err == nil || !strings.HasPrefix(err.Error(), `perl expression {= $_ = (\n$_ =}: syntax error`) || strings.Contains(err.Error(), "\n") {
		t.Fatalf("got %v", err)
	}
}

// An expression that dies fails its job with one line; the next job is
// evaluated as if nothing happened.
func TestRuntimeError(t *testing.T) {
	t.Parallel()
	p := start(t, []string{`die "no\nway" if $_ eq "d"; $_ .= "!"`}, Config{})
	j := &replace.PerlJob{Values: []string{"a", "d"}, Calls: []replace.Call{{Expr: 0, Arg: 0}, {Expr: 0, Arg: 1}}}
	err := p.Eval(j)
	if err == nil || err.Error() != `perl expression {= die "no\nway" if $_ eq "d"; $_ .= "!" =} failed: no; way at (eval 6) line 1.` {
		t.Fatalf("got %v", err)
	}
	j = &replace.PerlJob{Values: []string{"a"}, Calls: []replace.Call{{Expr: 0, Arg: 0}}}
	if err := p.Eval(j); err != nil || j.Results[0].Value != "a!" {
		t.Fatalf("after a failure: %v %+v", err, j.Results)
	}
}

func TestNotFound(t *testing.T) {
	t.Parallel()
	_, err := Start([]string{`$_`}, Config{Path: t.TempDir()})
	if !errors.Is(err, ErrNotFound) || err.Error() != "{= =} needs perl, which was not found in $PATH" {
		t.Fatalf("got %v", err)
	}
}

// A perl that is gone fails every job from then on, and says so.
func TestPerlGone(t *testing.T) {
	t.Parallel()
	p := start(t, []string{`exit 3`}, Config{})
	j := &replace.PerlJob{Values: []string{"a"}, Calls: []replace.Call{{Expr: 0, Arg: 0}}}
	if err := p.Eval(j); err == nil || err.Error() != "perl: perl exited" {
		t.Fatalf("got %v", err)
	}
	if err := p.Eval(j); err == nil {
		t.Fatal("a second job was evaluated by a dead perl")
	}
}

// Workers share one process: concurrent jobs each get their own results.
func TestConcurrent(t *testing.T) {
	t.Parallel()
	p := start(t, []string{`$_ = "<$_>" . seq()`}, Config{})
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				seq := int64(w*1000 + i)
				v := strings.Repeat("v", i)
				j := &replace.PerlJob{Seq: seq, Values: []string{v}, Calls: []replace.Call{{Expr: 0, Arg: 0}}}
				if err := p.Eval(j); err != nil {
					errs <- err
					return
				}
				if want := fmt.Sprintf("<%s>%d", v, seq); j.Results[0].Value != want {
					errs <- fmt.Errorf("got %q, want %q", j.Results[0].Value, want)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func BenchmarkEval(b *testing.B) {
	if _, err := exec.LookPath("perl"); err != nil {
		b.Skip("no perl")
	}
	p, err := Start([]string{`s/a/b/`}, Config{Path: os.Getenv("PATH")})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	j := &replace.PerlJob{Values: []string{"banana"}, Calls: []replace.Call{{Expr: 0, Arg: 0}}}
	for b.Loop() {
		if err := p.Eval(j); err != nil {
			b.Fatal(err)
		}
	}
}

// A program an expression leaves running does not keep the pipes open: a
// perl that exits is seen to at once, not when that program ends.
func TestChildDoesNotHoldPipes(t *testing.T) {
	t.Parallel()
	pidFile := filepath.Join(t.TempDir(), "pid")
	p := start(t, []string{`system("sleep 60 </dev/null >/dev/null 2>&1 & echo \$! >` + pidFile + `"); exit 0`}, Config{})
	t.Cleanup(func() {
		if b, err := os.ReadFile(pidFile); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	})
	j := &replace.PerlJob{Values: []string{"a"}, Calls: []replace.Call{{Expr: 0, Arg: 0}}}
	done := make(chan error, 1)
	go func() { done <- p.Eval(j) }()
	select {
	case err := <-done:
		if err == nil || err.Error() != "perl: perl exited" {
			t.Fatalf("got %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("a perl that exited was not seen to: its child holds the pipe")
	}
}
