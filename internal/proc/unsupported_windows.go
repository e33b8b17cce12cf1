package proc

// Jobs run in Unix process groups, supervised with Unix system calls, which
// Windows does not have: building for it fails here, with the reason.
var _ = fanout_runs_on_Linux_macOS_and_FreeBSD__Windows_is_not_supported
