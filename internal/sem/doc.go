// Package sem is a counting semaphore that processes on one machine share
// through files, for GNU parallel's --semaphore (sem). A semaphore is a
// directory; each slot of it is a file there that its holder keeps locked
// with flock(2). The kernel releases a lock when the last descriptor of
// its open file goes away, so a holder that crashes, or is killed with
// SIGKILL, frees its slot by itself: no stale entry is left to clean up.
// A lock file in the same directory serialises those who look for a free
// slot, so that counting the held ones and taking one is one step.
package sem
