package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/fanoutdev/fanout/internal/input"
	"github.com/fanoutdev/fanout/internal/joblog"
	"github.com/fanoutdev/fanout/internal/pipe"
)

// blockMode is the block mode's options resolved: what cuts the input and
// how each block reaches its job.
type blockMode struct {
	format  pipe.Format
	size    int64      // bytes per block; with --pipepart a negative -N: N blocks per slot
	records int        // -N: records per block
	group   *recordKey // --group-by; nil: none
}

// defaultBlock is GNU parallel's --block.
const defaultBlock = 1 << 20

// resolvePipe checks the block mode's options and turns them into a
// blockMode; without --pipe or --pipepart it returns nil. In block mode -N
// counts records, not values, so it leaves the options that pack values.
func resolvePipe(o *Options, env func(string) string) (*blockMode, error) {
	po := &o.Pipe
	if po.GroupBy != "" {
		if err := checkGroupBy(po); err != nil {
			return nil, err
		}
	}
	if po.Shard != "" || po.Bin != "" {
		if err := checkShard(po); err != nil {
			return nil, err
		}
	}
	if po.Cat || po.Fifo || po.RoundRobin {
		po.Stdin = po.Stdin || !po.Part
	}
	if o.MaxLinesSet && po.On() {
		// With --pipe, -L and -l make records of so many lines.
		po.Lines = max(o.MaxLines, 1)
		o.MaxLinesSet, o.MaxLines, o.ContextLines = false, 0, false
	}
	if !po.On() {
		switch {
		case po.Tee || po.RecEnd != nil || po.RecStart != nil || po.Regexp || po.RemoveSep || po.Block != "":
			return nil, usageError{errors.New("--block, --recend, --recstart, --regexp, --rrs and --tee need --pipe or --pipepart")}
		}
		return nil, nil
	}
	m := &blockMode{size: defaultBlock}
	if po.Part {
		// GNU parallel's --pipepart: 10 blocks per job slot, or one with
		// --round-robin, whose jobs then need no dealing.
		m.size = -10
		if po.RoundRobin {
			po.RoundRobin, m.size = false, -1
		}
	}
	if po.Block != "" && m.size != -1 {
		n, err := pipe.ParseSize(po.Block)
		if err != nil {
			return nil, usageError{err}
		}
		if n == 0 || n < 0 && !po.Part {
			return nil, usageError{fmt.Errorf("--block %q: give a size above 0 (a negative count of blocks per job slot works with --pipepart only)", po.Block)}
		}
		m.size = n
	}
	f := &m.format
	switch {
	case po.RecEnd == nil && po.RecStart == nil:
		f.RecEnd = "\n"
	case po.RecStart == nil:
		f.RecEnd = *po.RecEnd
	case po.RecEnd == nil:
		f.RecStart = *po.RecStart
	default:
		f.RecEnd, f.RecStart = *po.RecEnd, *po.RecStart
	}
	f.Regexp, f.RemoveSep, f.Lines = po.Regexp, po.RemoveSep, po.Lines
	f.Timeout = po.BlockTimeout
	if !f.Regexp {
		f.RecEnd, f.RecStart = pipe.Unescape(f.RecEnd), pipe.Unescape(f.RecStart)
	}
	if po.HeaderSet {
		if err := pipe.ParseHeader(po.Header, f); err != nil {
			return nil, usageError{err}
		}
	}
	if o.MaxReplaceArgsSet {
		m.records = o.MaxReplaceArgs
		f.Records = max(o.MaxReplaceArgs, 1)
		if f.Lines == 0 && o.MaxReplaceArgs == 0 {
			f.Records = 1 // -N0 reads one record, as GNU parallel's does
		}
	}
	if f.Lines > 0 && f.Records == 0 && o.MaxReplaceArgsSet {
		f.Records = 1
	}
	o.MaxReplaceArgsSet, o.MaxReplaceArgs = false, 0
	if po.GroupBy != "" {
		if err := m.groupBy(o, env); err != nil {
			return nil, err
		}
	}
	if po.Part && (f.Records > 0 || f.Lines > 0 || f.RemoveSep) {
		return nil, usageError{errors.New("--pipepart cannot count records or lines (-N, -L) nor remove separators (--rrs): it reads only around the cuts; use --pipe, or --recend/--recstart with --block")}
	}
	if po.Cat && po.Fifo {
		return nil, usageError{errors.New("--cat and --fifo: choose one")}
	}
	f.SkipFirstLine = o.SkipFirstLine
	if o.Shuf && !po.Part && !po.Tee {
		// Blocks are cut as standard input streams; GNU parallel refuses
		// this too.
		return nil, usageError{errors.New("--shuf does not go with --pipe: its blocks are cut as the input is read; shuffle the input first (shuf), or cut a file with --pipepart --shuf")}
	}
	if o.CSV && !po.Part {
		// GNU parallel's --pipe --csv passes whole CSV records, as many
		// as fill the block: -N does not count them.
		f.CSV, f.Records, f.Lines = true, 0, 0
	}
	if po.RoundRobin && (po.Tee || po.Cat || po.Fifo) {
		return nil, usageError{errors.New("--round-robin feeds long-running jobs on their stdin: it does not go with --tee, --cat or --fifo")}
	}
	return m, nil
}

// checkGroupBy is GNU parallel's rule for --group-by: it implies --pipe,
// and its records are lines, which it keeps whole.
func checkGroupBy(po *Pipe) error {
	switch {
	case po.RemoveSep:
		return usageError{errors.New("--rrs does not go with --group-by, whose records are lines kept whole")}
	case po.RecStart != nil:
		return usageError{errors.New("--recstart does not go with --group-by, whose records are lines")}
	case po.RecEnd != nil && pipe.Unescape(*po.RecEnd) != "\n":
		return usageError{errors.New("--recend does not go with --group-by, whose records are lines")}
	case po.Regexp:
		return usageError{errors.New("--regexp does not go with --group-by, whose records are lines")}
	}
	if !po.On() {
		po.Stdin = true
	}
	return nil
}

// checkShard checks --shard and --bin, which imply --pipe.
func checkShard(po *Pipe) error {
	opt := "--shard"
	if po.Bin != "" {
		opt = "--bin"
	}
	switch {
	case po.Shard != "" && po.Bin != "":
		return usageError{errors.New("--shard and --bin: choose one")}
	case po.Part:
		return usageError{fmt.Errorf("%s deals the lines of standard input: use it with --pipe, not --pipepart", opt)}
	case po.Tee || po.RoundRobin || po.Cat || po.Fifo || po.GroupBy != "":
		return usageError{fmt.Errorf("%s deals lines to the jobs on their stdin: it does not go with --tee, --round-robin, --cat, --fifo or --group-by", opt)}
	}
	po.Stdin = true
	return nil
}

// groupBy sets up --group-by: its key, and with a column named, the
// header it is named in. The column separator is --colsep, or a tab.
func (m *blockMode) groupBy(o *Options, env func(string) string) error {
	sep := o.Colsep
	if sep == "" {
		sep = "\t"
	}
	k, err := parseKey("--group-by", o.Pipe.GroupBy, sep, env)
	if err != nil {
		return err
	}
	m.group = k
	m.format.GroupKey, m.format.GroupErr = k.key, k.Err
	if k.needsHeader() && !o.Pipe.Part {
		// The first line is the header, given to every block (GNU
		// parallel's --pipepart reads it for the name only).
		m.format.HeaderLines, m.format.HeaderRe = 1, nil
	}
	return nil
}

// blockSource yields the blocks of the input, one at a time.
type blockSource interface {
	Next() (*pipe.Block, error)
}

// openBlocks opens the input of block mode: standard input cut by a
// splitter, or the files of -a and :::: cut by seeking; the ::: lists left
// are the values paired with the blocks.
func (p *parts) openBlocks(m *blockMode, tee bool) (blockSource, input.Source, error) {
	o := p.o
	var files []string
	var lists []SourceSpec
	for _, s := range o.Sources {
		if s.Kind == File && o.Pipe.Part {
			files = append(files, s.Path)
		} else {
			lists = append(lists, s)
		}
	}
	var args input.Source
	if len(lists) > 0 {
		lo := *o
		lo.Sources = lists
		src, closeInputs, err := openInputs(&lo, p.c)
		if err != nil {
			return nil, nil, err
		}
		p.closers = append(p.closers, closeInputs)
		args = src
	}
	if o.SkipFirstLine && !o.Pipe.Part {
		if err := skipLine(p.c.In); err != nil {
			return nil, nil, err
		}
	}
	if tee {
		return nil, args, nil // the jobs read standard input as it is
	}
	if !o.Pipe.Part {
		size := int(min(m.size, 1<<40))
		// Standard input that is a file is cut where reading it would cut
		// it, but each block goes from the file to its job, unread here.
		if f, ok := p.c.In.(*os.File); ok {
			fs, ok, err := pipe.NewFileSplitter(f, size, m.format)
			if err != nil {
				return nil, nil, usageError{err}
			}
			if ok {
				return fs, args, nil
			}
		}
		s, err := pipe.NewSplitter(p.c.In, size, m.format)
		if err != nil {
			return nil, nil, usageError{err}
		}
		if m.group != nil {
			if err := m.group.resolve(s.Header()); err != nil {
				return nil, nil, err
			}
		}
		return s, args, nil
	}
	if len(files) == 0 {
		return nil, nil, usageError{errors.New("--pipepart needs the file to cut: give it with -a FILE or :::: FILE")}
	}
	fp := &fileParts{files: files, size: m.size, format: m.format, stdin: p.c.In, tee: o.Pipe.Tee, group: m.group}
	p.closers = append(p.closers, fp.close)
	if m.size < 0 {
		// --block -N: N blocks for each job slot, of all the files.
		var total int64
		for _, name := range files {
			if st, err := os.Stat(name); err == nil {
				total += st.Size()
			}
		}
		fp.size = 1 + total/int64(p.limit)/(-m.size)
	}
	if o.Shuf {
		// The blocks of files are ranges, known before any job runs:
		// GNU parallel shuffles them.
		sb, err := shuffleBlocks(fp)
		return sb, args, err
	}
	return fp, args, nil
}

// shuffledBlocks are the blocks of --pipepart --shuf, in a random order.
type shuffledBlocks []*pipe.Block

// shuffleBlocks reads every block of src, which must not hold its data in
// memory, and deals them out in a random order.
func shuffleBlocks(src blockSource) (*shuffledBlocks, error) {
	var all shuffledBlocks
	for {
		b, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		all = append(all, b)
	}
	rand.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	return &all, nil
}

func (s *shuffledBlocks) Next() (*pipe.Block, error) {
	if len(*s) == 0 {
		return nil, io.EOF
	}
	b := (*s)[0]
	*s = (*s)[1:]
	return b, nil
}

// fileParts cuts the files of --pipepart one after the other.
type fileParts struct {
	files  []string
	size   int64
	format pipe.Format
	stdin  io.Reader
	tee    bool // every job gets the whole file
	cur    *pipe.Parts
	open   []*os.File
	group  *recordKey // --group-by: a column named in each file's first line
}

func (fp *fileParts) close() {
	for _, f := range fp.open {
		f.Close()
	}
}

func (fp *fileParts) Next() (*pipe.Block, error) {
	for {
		if fp.cur != nil {
			b, err := fp.cur.Next()
			if !errors.Is(err, io.EOF) {
				return b, err
			}
			fp.cur = nil
		}
		if len(fp.files) == 0 {
			return nil, io.EOF
		}
		if err := fp.openNext(); err != nil {
			return nil, err
		}
	}
}

func (fp *fileParts) openNext() error {
	name := fp.files[0]
	fp.files = fp.files[1:]
	var f *os.File
	if name == "-" {
		in, ok := fp.stdin.(*os.File)
		if !ok {
			return errors.New("--pipepart -a -: standard input is not a file it can seek in: use --pipe")
		}
		f = in
	} else {
		var err error
		if f, err = os.Open(name); err != nil {
			return err
		}
		fp.open = append(fp.open, f)
	}
	if fp.group != nil && fp.group.needsHeader() {
		line, err := firstLine(f)
		if err != nil {
			return err
		}
		if err := fp.group.resolve(line); err != nil {
			return err
		}
	}
	parts, err := pipe.NewParts(f, fp.size, fp.format)
	if err != nil {
		return err
	}
	if fp.tee {
		parts.SetSize(parts.Size() + 1)
	}
	fp.cur = parts
	return nil
}

// firstLine reads the first line of f, newline included, without moving
// its offset.
func firstLine(f *os.File) ([]byte, error) {
	var line []byte
	buf := make([]byte, 4096)
	for off := int64(0); ; {
		n, err := f.ReadAt(buf, off)
		if i := bytes.IndexByte(buf[:n], '\n'); i >= 0 {
			return append(line, buf[:i+1]...), nil
		}
		line = append(line, buf[:n]...)
		off += int64(n)
		if errors.Is(err, io.EOF) {
			return line, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", f.Name(), err)
		}
	}
}

// blockJobs pairs each block with the next values of the ::: lists, if
// there are any (empty ones once they run out), and numbers the jobs; it
// leaves out those an earlier run's job log has as done.
type blockJobs struct {
	blocks blockSource
	args   input.Source // nil: no values
	seq    int64
	prev   *joblog.Log // nil when not resuming
	// failedToo runs again the logged jobs that failed (--resume-failed).
	failedToo bool
	// toFile, if set, puts the block in a file whose name is the job's
	// value (--cat, --fifo).
	toFile func(d *jobData) error
}

func (j *blockJobs) next() (*jobData, error) {
	for {
		b, err := j.blocks.Next()
		if err != nil {
			return nil, err
		}
		var values []string
		if j.args != nil {
			values, err = j.args.Next()
			if errors.Is(err, io.EOF) {
				j.args, values = nil, nil
			} else if err != nil {
				return nil, err
			}
		}
		j.seq++
		if j.prev != nil {
			if e, ok := j.prev.Entry(j.seq); ok && (!j.failedToo || e.Succeeded()) {
				b.Release()
				continue
			}
		}
		d := &jobData{values: values, seq: j.seq, block: b, sent: b.Size()}
		if j.toFile != nil {
			if err := j.toFile(d); err != nil {
				return nil, err
			}
		} else {
			d.feed = blockFeed(b)
		}
		return d, nil
	}
}

// catFile is --cat: the block goes into a temporary file, whose name is
// the job's value; the file is removed when the job is over.
func catFile(dir string) func(d *jobData) error {
	return func(d *jobData) error {
		f, err := os.CreateTemp(dir, "fanout-cat-")
		if err != nil {
			return fmt.Errorf("--cat: %w", err)
		}
		_, err = d.block.WriteTo(f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		d.block.Release()
		d.block = nil
		d.values, d.remove = []string{f.Name()}, f.Name()
		if err != nil {
			os.Remove(f.Name())
			return fmt.Errorf("--cat: %w", err)
		}
		return nil
	}
}

// fifoFile is --fifo: the job's value names a named pipe, through which
// its block is written once the job opens it.
func fifoFile(dir string) func(d *jobData) error {
	return func(d *jobData) error {
		tmp, err := os.MkdirTemp(dir, "fanout-fifo-")
		if err != nil {
			return fmt.Errorf("--fifo: %w", err)
		}
		name := filepath.Join(tmp, "fifo")
		if err := mkfifo(name); err != nil {
			os.Remove(tmp)
			return fmt.Errorf("--fifo: %w", err)
		}
		d.values, d.fifo, d.remove = []string{name}, name, tmp
		return nil
	}
}

// releaseBlock lets go of what a job's block held once the job is over:
// the buffer goes back to the splitter, a --cat or --fifo file away.
func releaseBlock(d *jobData) {
	if d.block != nil {
		d.block.Release()
		d.block = nil
	}
	if d.remove != "" {
		os.RemoveAll(d.remove)
		d.remove = ""
	}
	if d.over != nil {
		d.over()
	}
}

// teeNeed is the error for --tee with fewer job slots than jobs: every job
// must run at once, each reading its copy of the input.
func teeNeed(jobs, slots int) error {
	return usageError{fmt.Errorf("--tee runs all %d jobs at once, but -j allows %d: use -j %d or -j0", jobs, slots, jobs)}
}

// blockJobs builds the job source of block mode: a job per block, paired
// with the values of the ::: lists; --round-robin's one job per slot; or
// --tee's one job per set of values, each given all of the input.
func (p *parts) blockJobs(prev *joblog.Log) (jobSource, error) {
	o := p.o
	dealt := o.Pipe.Shard != "" || o.Pipe.Bin != ""
	blocks, args, err := p.openBlocks(p.blocks, o.Pipe.Tee && !o.Pipe.Part || dealt)
	if err != nil {
		return nil, err
	}
	if dealt {
		return p.shardJobs(args != nil)
	}
	p.fitSlots()
	switch {
	case o.Pipe.Tee:
		return p.teeJobs(blocks, args)
	case o.Pipe.RoundRobin:
		return &roundRobin{blocks: blocks, slots: p.limit, wait: o.KeepOrder}, nil
	}
	bj := &blockJobs{blocks: blocks, args: args, prev: prev, failedToo: !o.Resume}
	switch {
	case o.Pipe.Cat:
		bj.toFile = catFile(o.TmpDir)
	case o.Pipe.Fifo:
		bj.toFile = fifoFile(o.TmpDir)
	}
	return bj, nil
}

// teeJobs is --tee: one job per set of values, all running at once.
func (p *parts) teeJobs(blocks blockSource, args input.Source) (jobSource, error) {
	if args == nil {
		return nil, usageError{errors.New("--tee gives all of the input to one job per value: give the values with :::")}
	}
	all, err := readAll(&inputJobs{src: args})
	if err != nil {
		return nil, err
	}
	if p.o.Jobs == "" {
		p.limit = len(all) // all at once unless -j says otherwise
	}
	if len(all) > p.limit {
		return nil, teeNeed(len(all), p.limit)
	}
	t := &teeJobs{all: all}
	if blocks == nil {
		t.feed = newTeeHub(p.c.In, len(all)).feed
		return t, nil
	}
	// --pipepart: the file is one block, which every job reads.
	b, err := blocks.Next()
	if errors.Is(err, io.EOF) {
		t.feed = func(*os.File) error { return nil }
		return t, nil
	}
	if err != nil {
		return nil, err
	}
	t.feed = blockFeed(b)
	return t, nil
}

// skipLine reads standard input up to and with its first newline
// (--skip-first-line), a byte at a time, as GNU parallel does, so that
// nothing after it is read here: a file as standard input is then cut
// from where the line ends.
func skipLine(r io.Reader) error {
	var b [1]byte
	for {
		n, err := r.Read(b[:])
		if n == 1 && b[0] == '\n' {
			return nil
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("--skip-first-line: reading standard input: %w", err)
		}
	}
}
