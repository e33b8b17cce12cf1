package proc

import "errors"

// ErrNoPidfd reports a kernel too old for pidfd (Linux 5.3).
var ErrNoPidfd = errors.New("this kernel has no pidfd support (linux 5.3 or newer is needed)")
