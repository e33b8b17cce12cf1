// Package tmpfile creates anonymous temporary files: files with no name,
// whose data lives as long as their descriptor, so that no crash, not even
// kill -9, can leave one behind.
package tmpfile

import (
	"fmt"
	"os"
)

// Open returns a new anonymous file in dir; empty means os.TempDir().
// Where the system cannot create a file without a name, the file is created
// under a random name and unlinked at once, which leaves a window of a few
// microseconds in which a kill leaves an empty file behind.
func Open(dir string) (*os.File, error) {
	if dir == "" {
		dir = os.TempDir()
	}
	if f, ok := openUnnamed(dir); ok {
		return f, nil
	}
	f, err := os.CreateTemp(dir, "fanout-*")
	if err != nil {
		return nil, fmt.Errorf("temporary file in %s: %w", dir, unwrap(err))
	}
	os.Remove(f.Name())
	return f, nil
}

// Check reports, in one line, why dir cannot hold temporary files, or nil.
func Check(dir string) error {
	f, err := Open(dir)
	if err != nil {
		return err
	}
	return f.Close()
}

func unwrap(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
