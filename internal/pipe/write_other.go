//go:build !linux

package pipe

import (
	"errors"
	"os"
	"syscall"
)

// writePipe has no faster way than writes here.
func (b *Block) writePipe(f *os.File) (int64, error, bool) { return 0, nil, false }

// prefill writes what the pipe f takes now without waiting.
func (b *Block) prefill(f *os.File) int64 {
	rc, err := f.SyscallConn()
	if err != nil {
		return 0
	}
	c := *b
	if c.File != nil {
		return 0 // the header alone would gain little
	}
	var total int64
	rc.Write(func(fd uintptr) bool {
		for _, p := range [][]byte{c.Header, c.Data} {
			for len(p) > 0 {
				n, err := syscall.Write(int(fd), p)
				if errors.Is(err, syscall.EINTR) {
					continue
				}
				if err != nil || n <= 0 {
					return true
				}
				total += int64(n)
				p = p[n:]
			}
		}
		return true
	})
	return total
}

// grow has no way to enlarge a pipe here.
func grow(f *os.File, n int64) bool { return false }

// unread is not needed where pipes do not grow.
func unread(f *os.File) int64 { return 0 }
