// Package lines keeps files that grow one whole line at a time (the job
// log, JSON Lines results) whole across a kill: a write cut off by kill -9
// leaves a last line without its newline, and it is cut off before more
// lines are appended.
package lines

import (
	"bytes"
	"fmt"
	"os"
)

// OpenAppend opens path for appending whole lines, creating it if needed;
// with truncate it starts empty. A last line without its newline is cut
// off first. It returns the file and its size after the cut.
func OpenAppend(path string, truncate bool) (*os.File, int64, error) {
	flags := os.O_RDWR | os.O_CREATE | os.O_APPEND
	if truncate {
		flags |= os.O_TRUNC
	}
	f, err := os.OpenFile(path, flags, 0o644)
	if err != nil {
		return nil, 0, err
	}
	size, err := CutTorn(f)
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("%s: %w", path, err)
	}
	return f, size, nil
}

// CutTorn truncates f after its last newline and returns the new size.
func CutTorn(f *os.File) (int64, error) {
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	size := st.Size()
	var buf [4096]byte
	end := size
	for end > 0 {
		n := min(end, int64(len(buf)))
		if _, err := f.ReadAt(buf[:n], end-n); err != nil {
			return 0, err
		}
		if i := bytes.LastIndexByte(buf[:n], '\n'); i >= 0 {
			end += int64(i) + 1 - n
			break
		}
		end -= n
	}
	if end == size {
		return size, nil
	}
	return end, f.Truncate(end)
}
