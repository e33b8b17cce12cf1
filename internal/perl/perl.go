// Package perl evaluates GNU parallel's {= perl expression =} replacement
// strings in one long-lived perl process per run: the expressions are
// compiled once at start, and each job is one round trip over a pair of
// pipes, in a framed protocol (see program.pl).
package perl

import (
	"bufio"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/fanoutdev/fanout/internal/replace"
)

//go:embed program.pl
var program string

// ErrNotFound is returned by Start when no perl is found in $PATH.
var ErrNotFound = errors.New("{= =} needs perl, which was not found in $PATH")

// Interp is a running perl process that evaluates a fixed list of
// expressions. It is safe for concurrent use: jobs take turns.
type Interp struct {
	exprs []string
	cmd   *exec.Cmd
	mu    sync.Mutex
	w     *bufio.Writer
	r     *bufio.Reader
	in    io.Closer // the request pipe: closing it ends perl
	out   io.Closer // the reply pipe
	err   error     // set once the process is unusable
	done  chan struct{}
	num   []byte
}

// Config says where perl comes from and where what the expressions print
// goes.
type Config struct {
	// Path is $PATH, searched for perl; empty means no perl is found.
	Path string
	// Stdout and Stderr receive what the expressions print; nil discards it.
	Stdout, Stderr io.Writer
}

// Start starts perl and compiles the expressions. An expression that does
// not compile is an error naming it, on one line.
func Start(exprs []string, cfg Config) (*Interp, error) {
	bin := lookPath("perl", cfg.Path)
	if bin == "" {
		return nil, ErrNotFound
	}
	reqR, reqW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("perl: %w", err)
	}
	repR, repW, err := os.Pipe()
	if err != nil {
		reqR.Close()
		reqW.Close()
		return nil, fmt.Errorf("perl: %w", err)
	}
	cmd := exec.Command(bin, "-e", program)
	cmd.Stdout, cmd.Stderr = cfg.Stdout, cfg.Stderr
	cmd.ExtraFiles = []*os.File{reqR, repW} // fds 3 and 4
	err = cmd.Start()
	reqR.Close()
	repW.Close()
	if err != nil {
		reqW.Close()
		repR.Close()
		return nil, fmt.Errorf("perl: %w", err)
	}
	p := &Interp{exprs: exprs, cmd: cmd, w: bufio.NewWriter(reqW), r: bufio.NewReader(repR), in: reqW, out: repR, done: make(chan struct{})}
	go func() {
		// The reply pipe ends when perl does: a read then meets its end.
		cmd.Wait()
		close(p.done)
	}()
	p.int(int64(len(exprs)))
	for _, e := range exprs {
		p.str(e)
	}
	if err := p.w.Flush(); err != nil {
		p.Close()
		return nil, fmt.Errorf("perl: %w", err)
	}
	status, err := p.field()
	if err == nil && status == "error" {
		err = p.exprError()
	} else if err == nil && status != "ready" {
		err = fmt.Errorf("perl: unexpected reply %q", status)
	}
	if err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

// lookPath finds an executable named name in path.
func lookPath(name, path string) string {
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			dir = "."
		}
		f := filepath.Join(dir, name)
		if st, err := os.Stat(f); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return f
		}
	}
	return ""
}

// exprError reads an error reply: the expression's number and perl's
// message.
func (p *Interp) exprError() error {
	i, msg, err := p.errorReply()
	if err != nil {
		return err
	}
	expr := "?"
	if i >= 0 && i < len(p.exprs) {
		expr = p.exprs[i]
	}
	return fmt.Errorf("perl expression {= %s =}: %s", oneLine(expr), msg)
}

// errorReply reads the two fields of an error reply: the number of the
// expression (or call) that failed and perl's message.
func (p *Interp) errorReply() (int, string, error) {
	idx, err := p.field()
	if err != nil {
		return 0, "", err
	}
	msg, err := p.field()
	if err != nil {
		return 0, "", err
	}
	i, _ := strconv.Atoi(idx) // the program fanout gives perl always sends a number
	return i, msg, nil
}

// oneLine shows an expression as it was written, on one line.
func oneLine(s string) string { return strings.ReplaceAll(strings.TrimSpace(s), "\n", `\n`) }

// Eval runs a job's calls and fills in its results.
func (p *Interp) Eval(j *replace.PerlJob) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return p.err
	}
	err := p.eval(j)
	var exprErr *evalError
	if err != nil && !errors.As(err, &exprErr) {
		// The process is gone or out of step: no job can use it now.
		p.err = fmt.Errorf("perl: %w", err)
		return p.err
	}
	return err
}

type evalError struct{ error }

func (p *Interp) eval(j *replace.PerlJob) error {
	p.int(j.Seq)
	p.int(int64(j.Slot))
	p.int(j.Total)
	p.int(int64(j.Slots))
	p.int(int64(len(j.Values)))
	for _, v := range j.Values {
		p.str(v)
	}
	p.int(int64(len(j.Calls)))
	for _, c := range j.Calls {
		p.int(int64(c.Expr))
		p.int(int64(c.Arg))
	}
	if err := p.w.Flush(); err != nil {
		return err
	}
	status, err := p.field()
	if err != nil {
		return err
	}
	switch status {
	case "error":
		i, msg, err := p.errorReply()
		if err != nil {
			return err
		}
		expr := "?"
		if i >= 0 && i < len(j.Calls) && j.Calls[i].Expr < len(p.exprs) {
			expr = p.exprs[j.Calls[i].Expr]
		}
		return &evalError{fmt.Errorf("perl expression {= %s =} failed: %s", oneLine(expr), msg)}
	case "ok":
	default:
		return fmt.Errorf("unexpected reply %q", status)
	}
	skip, err := p.field()
	if err != nil {
		return err
	}
	j.Skip = skip == "1"
	j.Results = j.Results[:0]
	for range j.Calls {
		uq, err := p.field()
		if err != nil {
			return err
		}
		v, err := p.field()
		if err != nil {
			return err
		}
		j.Results = append(j.Results, replace.Result{Value: v, Unquoted: uq == "1"})
	}
	return nil
}

func (p *Interp) int(n int64) {
	p.num = strconv.AppendInt(p.num[:0], n, 10)
	p.w.WriteString(strconv.Itoa(len(p.num)))
	p.w.WriteByte('\n')
	p.w.Write(p.num)
}

func (p *Interp) str(s string) {
	p.w.WriteString(strconv.Itoa(len(s)))
	p.w.WriteByte('\n')
	p.w.WriteString(s)
}

// field reads one field of a reply.
func (p *Interp) field() (string, error) {
	line, err := p.r.ReadString('\n')
	if err != nil {
		if errors.Is(err, io.EOF) {
			return "", errors.New("perl exited")
		}
		return "", err
	}
	n, err := strconv.Atoi(strings.TrimSuffix(line, "\n"))
	if err != nil || n < 0 {
		return "", fmt.Errorf("bad reply length %q", line)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(p.r, b); err != nil {
		return "", err
	}
	return string(b), nil
}

// Close ends the perl process, which reads the end of its requests, and
// waits for it and for what it printed to be copied.
func (p *Interp) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.in == nil {
		return nil
	}
	err := p.in.Close()
	p.in = nil
	if p.err == nil {
		p.err = errors.New("perl: closed")
	}
	<-p.done
	p.out.Close()
	return err
}
