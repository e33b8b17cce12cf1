//go:build unix && !linux

package cli

import (
	"encoding/binary"
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// sysctlMachine reads the machine with sysctl(3), on macOS and FreeBSD.
type sysctlMachine struct{}

func newMachine() machine { return sysctlMachine{} }

// load is the one-minute load average: these systems count no instant
// load as Linux does.
func (sysctlMachine) load() (float64, error) {
	b, err := unix.SysctlRaw("vm.loadavg")
	if err != nil {
		return 0, fmt.Errorf("the load is not known: sysctl vm.loadavg: %w", err)
	}
	// struct loadavg { fixpt_t ldavg[3]; long fscale; }: 32-bit fixed
	// point values, then the scale, a long at the next 8-byte boundary.
	if len(b) < 24 {
		return 0, errors.New("the load is not known: sysctl vm.loadavg is short")
	}
	scale := binary.NativeEndian.Uint64(b[16:24])
	if scale == 0 {
		return 0, errors.New("the load is not known: sysctl vm.loadavg has no scale")
	}
	return float64(binary.NativeEndian.Uint32(b[0:4])) / float64(scale), nil
}

// memFree counts free, inactive and cached pages as GNU parallel does on
// FreeBSD; macOS has free and speculative pages.
func (sysctlMachine) memFree() (int64, error) {
	page, err := unix.SysctlUint32("hw.pagesize")
	if err != nil {
		return 0, fmt.Errorf("free memory is not known: sysctl hw.pagesize: %w", err)
	}
	var pages uint64
	if free, err := unix.SysctlUint32("vm.stats.vm.v_free_count"); err == nil {
		pages = uint64(free)
		for _, n := range []string{"vm.stats.vm.v_inactive_count", "vm.stats.vm.v_cache_count"} {
			if v, err := unix.SysctlUint32(n); err == nil {
				pages += uint64(v)
			}
		}
	} else if free, err := unix.SysctlUint32("vm.page_free_count"); err == nil {
		pages = uint64(free)
		if v, err := unix.SysctlUint32("vm.page_speculative_count"); err == nil {
			pages += uint64(v)
		}
	} else {
		return 0, fmt.Errorf("free memory is not known on this system: %w", err)
	}
	return int64(pages * uint64(page)), nil
}

// swapped reads FreeBSD's swap pager counters; macOS has none.
func (sysctlMachine) swapped() (uint64, uint64, error) {
	in, err1 := unix.SysctlUint32("vm.stats.vm.v_swappgsin")
	out, err2 := unix.SysctlUint32("vm.stats.vm.v_swappgsout")
	if err := errors.Join(err1, err2); err != nil {
		return 0, 0, fmt.Errorf("swap activity is not known on this system (use --memfree instead): %w", err)
	}
	return uint64(in), uint64(out), nil
}

func (sysctlMachine) jobGroups() ([]int, error) {
	return nil, errors.New("the jobs' processes cannot be listed on this system (Linux only)")
}
