package cli

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/fanoutdev/fanout"
)

// filesSink is --files: each job's standard output goes to a new file in
// the temporary directory, named parXXXXX.par as GNU parallel names them,
// and the file's name is printed in its place, after the tag if there is
// one, in the order the pool delivers (-k keeps input order). The file
// holds the command first with -v. The jobs' standard error is discarded,
// as GNU parallel discards it. The files are the user's: fanout never
// removes them.
type filesSink struct {
	c       *console
	dir     string
	tag     bool
	verbose bool
	buf     []byte
}

func (s *filesSink) Receive(r *fanout.Result) error {
	d := dataOf(r.Job)
	f, err := createPar(s.dir)
	if err != nil {
		return fmt.Errorf("--files: %w; point --tmpdir or $TMPDIR at a writable directory", err)
	}
	if s.verbose {
		s.buf = append(append(s.buf[:0], d.line...), '\n')
		_, err = f.Write(s.buf)
	}
	if err == nil {
		_, err = r.Stdout.WriteTo(f)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		// The job's output did not reach its file: the job is not done.
		os.Remove(f.Name())
		return fmt.Errorf("--files: job %d: %w", d.seq, err)
	}
	s.buf = s.buf[:0]
	if s.tag {
		s.buf = append(append(s.buf, d.tag...), '\t')
	}
	s.buf = append(append(s.buf, f.Name()...), '\n')
	_, err = s.c.stdout().Write(s.buf)
	return err
}

// createPar creates a new file named parXXXXX.par in dir (empty: the
// system's temporary directory), five random letters or digits, as GNU
// parallel does; a name taken already is drawn again.
func createPar(dir string) (*os.File, error) {
	if dir == "" {
		dir = os.TempDir()
	}
	const chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	var name [5]byte
	for range 1000 {
		for i := range name {
			name[i] = chars[rand.IntN(len(chars))]
		}
		f, err := os.OpenFile(filepath.Join(dir, "par"+string(name[:])+".par"), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if !errors.Is(err, os.ErrExist) {
			return f, err
		}
	}
	return nil, fmt.Errorf("no free name for a file in %s", dir)
}

// filesSinkFor builds --files' sink, and the /dev/null the jobs' standard
// error goes to.
func filesSinkFor(o *Options, c *console, pl *plan) (*filesSink, *os.File, error) {
	discard, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("--files: %w", err)
	}
	return &filesSink{c: c, dir: o.TmpDir, tag: pl.tag, verbose: o.Verbose > 0}, discard, nil
}
