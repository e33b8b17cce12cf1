package cli

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unsafe"
)

// jobEnv is the environment every job gets: this process's, with the
// variables GNU parallel sets for a job on this machine: $PARALLEL_SEQ,
// $PARALLEL_JOBSLOT, $PARALLEL_JOBSLOT0 (or --process-slot-var's name),
// $PARALLEL_PID, $PARALLEL_TMP, $PARALLEL_SSHLOGIN and $PARALLEL_SSHHOST.
//
// Each job slot keeps one environment, built on its first job; a later job
// of the slot only writes its sequence number's digits into it, so that a
// job costs no allocation here. That is safe because a slot's jobs are
// prepared and started one at a time by one worker, and starting a process
// copies its environment.
type jobEnv struct {
	base    []string // this process's environment, less the variables set here
	slotVar string   // the name for the slot counted from 0
	pid     string
	tmpPfx  string // $PARALLEL_TMP up to the job's number
	slots   []*slotEnv
}

// slotEnv is one slot's environment and the buffers of its variables that
// change from one job to the next.
type slotEnv struct {
	env      []string
	seq, tmp []byte // "PARALLEL_SEQ=", "PARALLEL_TMP=..." and room for the digits
	iSeq     int    // where in env they are
	iTmp     int
}

// newJobEnv builds the environment's constant part. slotVar is
// --process-slot-var (empty: GNU parallel's PARALLEL_JOBSLOT0); tmpDir is
// --tmpdir (empty: $TMPDIR). slots is the number of job slots.
func newJobEnv(environ []string, slotVar, tmpDir string, slots int) *jobEnv {
	if slotVar == "" {
		slotVar = "PARALLEL_JOBSLOT0"
	}
	if tmpDir == "" {
		tmpDir = os.TempDir()
	}
	pid := strconv.Itoa(os.Getpid())
	set := []string{"PARALLEL_SEQ", "PARALLEL_JOBSLOT", slotVar, "PARALLEL_PID", "PARALLEL_TMP", "PARALLEL_SSHLOGIN", "PARALLEL_SSHHOST"}
	e := &jobEnv{slotVar: slotVar, pid: pid, slots: make([]*slotEnv, slots+1),
		// The name is this run's and the job's own: no two jobs, nor two
		// runs at once, share one.
		tmpPfx: "PARALLEL_TMP=" + filepath.Join(tmpDir, "par"+pid+"-")}
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(set, name) {
			e.base = append(e.base, kv)
		}
	}
	return e
}

// forJob returns the environment of job seq in slot; it is valid until
// the slot's next job asks for one.
func (e *jobEnv) forJob(slot int, seq int64) []string {
	if slot <= 0 || slot >= len(e.slots) {
		// A slot beyond the limit never comes; should one, it gets an
		// environment of its own rather than none.
		return e.build(slot, seq).env
	}
	s := e.slots[slot]
	if s == nil {
		s = e.build(slot, seq)
		e.slots[slot] = s
		return s.env
	}
	s.env[s.iSeq] = digitsIn(&s.seq, len("PARALLEL_SEQ="), seq)
	s.env[s.iTmp] = digitsIn(&s.tmp, len(e.tmpPfx), seq)
	return s.env
}

// tmpName is $PARALLEL_TMP of job seq, which is removed once it is over.
func (e *jobEnv) tmpName(seq int64) string {
	return strings.TrimPrefix(e.tmpPfx, "PARALLEL_TMP=") + strconv.FormatInt(seq, 10)
}

// removeTmp removes $PARALLEL_TMP of the job that just ended in slot, in
// case the job made it, as GNU parallel does. It is called before the
// slot's next job is prepared, so the slot's name is still that job's.
func (e *jobEnv) removeTmp(slot int, seq int64) {
	if slot > 0 && slot < len(e.slots) && e.slots[slot] != nil {
		s := e.slots[slot]
		os.Remove(s.env[s.iTmp][len("PARALLEL_TMP="):])
		return
	}
	os.Remove(e.tmpName(seq))
}

func (e *jobEnv) build(slot int, seq int64) *slotEnv {
	s := &slotEnv{
		seq: make([]byte, 0, len("PARALLEL_SEQ=")+20),
		tmp: make([]byte, 0, len(e.tmpPfx)+20),
	}
	s.seq = append(s.seq, "PARALLEL_SEQ="...)
	s.tmp = append(s.tmp, e.tmpPfx...)
	s.env = append(make([]string, 0, len(e.base)+7), e.base...)
	s.iSeq, s.iTmp = len(s.env), len(s.env)+1
	s.env = append(s.env, digitsIn(&s.seq, len("PARALLEL_SEQ="), seq), digitsIn(&s.tmp, len(e.tmpPfx), seq),
		"PARALLEL_JOBSLOT="+strconv.Itoa(slot), e.slotVar+"="+strconv.Itoa(slot-1),
		"PARALLEL_PID="+e.pid, "PARALLEL_SSHLOGIN=:", "PARALLEL_SSHHOST=:")
	return s
}

// digitsIn writes n's digits after the first keep bytes of *buf and
// returns the whole as a string that shares the buffer's memory: it
// changes when the buffer is next written (see jobEnv).
func digitsIn(buf *[]byte, keep int, n int64) string {
	b := strconv.AppendInt((*buf)[:keep], n, 10)
	*buf = b
	return unsafe.String(unsafe.SliceData(b), len(b))
}
