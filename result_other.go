//go:build !linux

package fanout

import "io"

// SpliceFrom declines, so that the supervisor reads the pipe and writes
// the bytes through Write: only Linux moves bytes from a pipe to a file in
// the kernel.
func (o *Output) SpliceFrom(fd int) (int64, bool, error) { return 0, false, nil }

// sendfile leaves WriteTo to copy spilled output through memory.
func (o *Output) sendfile(io.Writer) (done int64, over bool, err error) { return 0, false, nil }
