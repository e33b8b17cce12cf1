package main

import (
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Output that spills to disk never has a name in the temporary directory,
// so no kill at any moment can leave a file behind: the directory sees no
// file created at all while jobs print far past the memory limit.
func TestSpillFilesHaveNoName(t *testing.T) {
	t.Parallel()
	dir, tmp := t.TempDir(), t.TempDir()
	fd, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
	if err != nil {
		t.Skipf("no inotify: %v", err)
	}
	defer unix.Close(fd)
	if _, err := unix.InotifyAddWatch(fd, tmp, unix.IN_CREATE|unix.IN_MOVED_TO); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := runCLI(t, dir, "-j2", "-k", "--tmpdir", tmp, "true {}; head -c 1000000 /dev/zero; head -c 1000000 /dev/zero >&2", ":::", "1", "2", "3")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	buf := make([]byte, 64<<10)
	n, err := unix.Read(fd, buf)
	if err == unix.EAGAIN {
		return // no event: nothing was ever named
	}
	if err != nil {
		t.Fatal(err)
	}
	ev := (*unix.InotifyEvent)(unsafe.Pointer(&buf[0]))
	name := buf[unix.SizeofInotifyEvent : unix.SizeofInotifyEvent+int(ev.Len)]
	t.Fatalf("a spill file was created under a name (%d bytes of events), first: %q", n, name)
}
