//go:build !linux

package tmpfile

import "os"

// openUnnamed reports false: only Linux creates files without a name.
func openUnnamed(string) (*os.File, bool) { return nil, false }
