// Package fanout runs external commands, at most N at a time, and hands
// each result to you the moment its job finishes while the next job starts
// by itself.
//
// A Pool is shaped like errgroup: Go submits a job and blocks while Limit
// jobs run, TryGo does not block, Wait waits for the rest. A Job is shaped
// like exec.Cmd: an argument vector run directly or a shell line, with
// optional directory, environment, standard input and timeout. Results go
// to a Sink, serially, in completion order or, with Ordered, in submission
// order, so the code that handles them needs no locking and reads like the
// sequential loop it replaces:
//
//	p := &fanout.Pool{Limit: 3, Sink: fanout.SinkFunc(func(r *fanout.Result) error {
//		fmt.Printf("%d exited %d: %s", r.Seq, r.ExitCode, r.Stdout.Bytes())
//		return nil
//	})}
//	for _, f := range files {
//		p.Go(ctx, fanout.Command("gzip", "-9", f))
//	}
//	err := p.Wait()
//
// Every job runs in a process group of its own. Cancelling the context a
// job was submitted with, or its Timeout, sends the group a termination
// sequence (TERM, then KILL); when a job's process exits, whatever it left
// in its group is killed, so no orphan outlives its job and a grandchild
// holding the output pipe open cannot hang the pool. Nor does any process of
// a job outlive the program, however it ends, SIGKILL included: the first
// Local runner starts a small reaper process that kills every running job's
// group once the program is gone. The reaper is the program itself,
// re-executed with FANOUT_REAPER=1 in its environment, which an init
// function of this module recognises before main runs, so no other binary
// is needed; init functions that run before it run in the reaper too, so
// they should not act outside their own process. Running a job costs no
// system call for this: the two share the list of running groups in
// memory. Should the reaper fail to start, or a job leave its group, only
// the job's own process is sure to die with the program.
//
// fanout runs on Linux, macOS and FreeBSD. On Linux a job is supervised
// through a pidfd, its spilled output moves by splice and sendfile, and its
// process dies with the program by Pdeathsig. macOS and FreeBSD, and Linux
// built with the fanout_portable tag, use a portable supervisor over Go's
// netpoller and kqueue (epoll under the tag) with plain copies; macOS has no
// Pdeathsig, so there the reaper alone kills a dead program's jobs. Windows,
// which has no process groups or signals, is not supported.
//
// A job's captured output stays in memory up to CaptureLimit and spills to
// an unlinked temporary file beyond it, so a job printing gigabytes costs
// megabytes. A Result's Err means the job could not run at all; a non-zero
// exit is data, in ExitCode and Signal.
package fanout
