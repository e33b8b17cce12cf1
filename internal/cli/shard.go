package cli

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"os"
	"strconv"
	"sync"

	"github.com/fanoutdev/fanout/internal/pipe"
)

// dealer is --shard and --bin: one job per slot, all running at once;
// each line of standard input goes to the job its key picks.
type dealer struct {
	in    *bufio.Reader
	c     *console
	key   *recordKey
	pick  func(key []byte, n int) int // the job, from 0
	n     int
	seq   int64
	mu    sync.Mutex
	pipes []*bufio.Writer // by job, from 0
	ready int             // the pipes given
	dead  []bool
	done  chan struct{}
	err   error // reading the input or the key failed
}

// shardPick is --shard: a hash of the key. GNU parallel uses perl's
// B::hash, seeded anew each run, so its split changes from run to run;
// fanout's, FNV-1a, is the same every run.
func shardPick(key []byte, n int) int {
	h := fnv.New64a()
	h.Write(key)
	return int(h.Sum64() % uint64(n))
}

// binPick is --bin: the key as a number (perl's: its leading number, 0 if
// none), modulo the number of jobs, a remainder of 0 being the last job,
// as in GNU parallel.
func binPick(key []byte, n int) int {
	v := perlInt(key)
	r := int(v % int64(n))
	if r < 0 {
		r += n // perl's % takes the sign of the right operand
	}
	if r == 0 {
		return n - 1
	}
	return r - 1
}

// perlInt is the integer part of the number perl reads at the start of b.
func perlInt(b []byte) int64 {
	b = bytes.TrimLeft(b, " \t\n\r\f\v")
	end := 0
	for end < len(b) && (b[end] >= '0' && b[end] <= '9' || end == 0 && (b[end] == '-' || b[end] == '+') ||
		b[end] == '.' || (b[end] == 'e' || b[end] == 'E') && end > 0) {
		end++
	}
	for end > 0 {
		if f, err := strconv.ParseFloat(string(b[:end]), 64); err == nil {
			if math.IsInf(f, 0) || math.Abs(f) >= 1<<63 {
				return 0
			}
			return int64(f)
		}
		end--
	}
	return 0
}

// shardJobs builds the jobs of --shard or --bin.
func (p *parts) shardJobs(args bool) (jobSource, error) {
	o := p.o
	opt, spec, pick := "--shard", o.Pipe.Shard, shardPick
	if o.Pipe.Bin != "" {
		opt, spec, pick = "--bin", o.Pipe.Bin, binPick
	}
	if args {
		return nil, usageError{fmt.Errorf("%s deals the lines of standard input to one job per slot: it takes no ::: values", opt)}
	}
	sep := o.Colsep
	if sep == "" {
		sep = "," // GNU parallel's sharder splits at commas by default
	}
	k, err := parseKey(opt, spec, sep, p.getenv)
	if err != nil {
		return nil, err
	}
	if sep == " " {
		// GNU parallel's sharder splits with the separator as a string,
		// and perl's split of ' ' splits at runs of white space.
		k.awk = true
		if k.column != nil {
			k.column = pipe.AwkColumnKey(k.col)
		}
	}
	p.closers = append(p.closers, k.close)
	in := bufio.NewReaderSize(p.c.In, 64<<10)
	if k.needsHeader() {
		// The header names the column; the jobs do not get it.
		header, err := readLine(in)
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
		if err := k.resolve(header); err != nil {
			return nil, err
		}
	}
	p.fitSlots()
	d := &dealer{in: in, c: p.c, key: k, pick: pick, n: p.limit, done: make(chan struct{}),
		pipes: make([]*bufio.Writer, p.limit), dead: make([]bool, p.limit)}
	return d, nil
}

// readLine reads one line, its newline included, however long.
func readLine(r *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		b, err := r.ReadSlice('\n')
		if !errors.Is(err, bufio.ErrBufferFull) {
			if line == nil {
				return b, err
			}
			return append(line, b...), err
		}
		line = append(line, b...)
	}
}

func (d *dealer) next() (*jobData, error) {
	if int(d.seq) == d.n {
		return nil, io.EOF
	}
	d.seq++
	return &jobData{seq: d.seq, feed: d.feed(int(d.seq) - 1)}, nil
}

// feed gives job i's pipe to the dealer; the last job to come deals the
// input to all, then every job's feed returns. A job run again
// (--retries) after the deal gets an empty input.
func (d *dealer) feed(i int) func(w *os.File) error {
	return func(w *os.File) error {
		d.mu.Lock()
		if d.pipes[i] != nil || d.ready == d.n {
			d.mu.Unlock()
			return nil
		}
		d.pipes[i] = bufio.NewWriterSize(w, 64<<10)
		d.ready++
		last := d.ready == d.n
		d.mu.Unlock()
		if last {
			d.deal()
			close(d.done)
		}
		<-d.done
		return nil
	}
}

// deal reads the input a line at a time and writes each line to its job.
// A failure ends the deal, told on standard error: the jobs then end with
// the lines they got.
func (d *dealer) deal() {
	r := d.in
	defer func() {
		if d.err != nil {
			d.c.warnf("%s: %v", d.c.name(), d.err)
		}
	}()
	for {
		line, err := readLine(r)
		if len(line) > 0 {
			k := d.key.key(line)
			if kerr := d.key.Err(); kerr != nil {
				d.err = kerr
				break
			}
			i := d.pick(k, d.n)
			if !d.dead[i] {
				if _, werr := d.pipes[i].Write(line); werr != nil {
					d.dead[i] = true // the job stopped reading: it gets no more
				}
			}
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				d.err = err
			}
			break
		}
	}
	for i, w := range d.pipes {
		if !d.dead[i] {
			w.Flush()
		}
	}
}
