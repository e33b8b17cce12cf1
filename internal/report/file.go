package report

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// DefaultEvery is how often File rewrites the report while the run goes.
const DefaultEvery = 3 * time.Second

// File keeps a report on disk: written once when started, rewritten every
// few seconds while the run goes, and a last time when it ends. Each write
// replaces the file whole (a temporary file in the same directory, renamed
// over it), so a browser opening it midway never reads half a page.
type File struct {
	// Path is the report's file name.
	Path string
	// Collector is where the jobs' records come from.
	Collector *Collector
	// Command is the run's command line, as shown.
	Command string
	// Every is the pause between rewrites; zero means DefaultEvery. A
	// report slow to render waits ten times as long as it took, so that a
	// large run spends no more than a tenth of a CPU on its report.
	Every time.Duration

	mu         sync.Mutex // one write at a time
	stop, done chan struct{}
}

// Start writes the report of the run so far, which tells at once whether
// Path can be written, and starts rewriting it in the background.
func (f *File) Start() error {
	d, err := f.write(f.Collector.Snapshot(time.Now()))
	if err != nil {
		return err
	}
	f.stop, f.done = make(chan struct{}), make(chan struct{})
	go f.loop(d)
	return nil
}

func (f *File) loop(took time.Duration) {
	defer close(f.done)
	every := f.Every
	if every <= 0 {
		every = DefaultEvery
	}
	t := time.NewTimer(max(every, 10*took))
	defer t.Stop()
	for {
		select {
		case <-f.stop:
			return
		case <-t.C:
		}
		// An error now is met again by the last write, which reports it.
		took, _ = f.write(f.Collector.Snapshot(time.Now()))
		t.Reset(max(every, 10*took))
	}
}

// Finish stops the rewrites and writes the report of the finished run:
// sig is the signal that stopped it, or 0, halted whether --halt did.
func (f *File) Finish(sig syscall.Signal, halted bool) error {
	if f.stop != nil {
		close(f.stop)
		<-f.done
		f.stop = nil
	}
	run := f.Collector.Snapshot(time.Now())
	run.Done, run.Signal, run.Halted = true, sig, halted
	_, err := f.write(run)
	return err
}

// write renders run to f.Path, atomically, and returns how long it took.
func (f *File) write(run Run) (time.Duration, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	begin := time.Now()
	run.Command = f.Command
	if err := WriteFile(f.Path, &run); err != nil {
		return 0, err
	}
	return time.Since(begin), nil
}

// WriteFile renders run to the file path, replacing it whole: the page is
// written to a temporary file in the same directory, then renamed.
func WriteFile(path string, run *Run) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		// The temporary file's name would only confuse: the cause is
		// the directory's.
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("report %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // after a rename, there is nothing left to remove
	w := bufio.NewWriterSize(tmp, 256<<10)
	err = Render(w, run)
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		// A temporary file is private; the report is a document like any
		// other.
		err = tmp.Chmod(0o644)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("report %s: %w", path, err)
	}
	return nil
}
