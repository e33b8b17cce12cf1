package report

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// Bounds on the tables, which are HTML elements, one row per job: the
// timeline and the histogram draw every job on a canvas instead.
const (
	// allJobsRows: a run of at most this many jobs lists them all; a
	// larger one lists its slowest slowestRows.
	allJobsRows = 1000
	slowestRows = 100
	// failedRows bounds the table of failed jobs.
	failedRows = 500
	// commandLineBytes bounds the command line shown: ::: $(seq 100000)
	// would be most of the page.
	commandLineBytes = 4096
)

//go:embed page.html
var pageText string

// page is parsed on first use: parsing at start-up cost every run of the
// command, with or without --report, a few percent of its start.
var page = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("report").Funcs(template.FuncMap{
		"dur": fmtDuration,
	}).Parse(pageText))
})

// Render writes the report of run to w: one HTML page that needs nothing
// but itself, its data embedded as JSON, its timeline and histogram drawn
// by the script in it. It reads run and nothing else.
func Render(w io.Writer, run *Run) error {
	v := view{Run: run, Summary: summarize(run), Command: cut(run.Command, commandLineBytes)}
	order := byStart(run)
	data, err := json.Marshal(encode(run, order))
	if err != nil {
		return fmt.Errorf("report data: %w", err)
	}
	v.Data = template.JS(data)
	v.Failed, v.FailedMore = failedRowsOf(run)
	v.Jobs, v.JobsTitle = jobRowsOf(run)
	return page().Execute(w, &v)
}

// view is what the page template shows.
type view struct {
	Run        *Run
	Command    string
	Summary    summary
	Data       template.JS
	Failed     []row
	FailedMore int // failed jobs left out of the table
	Jobs       []row
	JobsTitle  string
}

// row is one job in a table.
type row struct {
	*Record
	Lane string
}

// summary is the run in a few numbers.
type summary struct {
	Jobs, Running                         int
	Succeeded, Failed, TimedOut, Signaled int
	Wall, CPU, Busy                       time.Duration // Busy: the jobs' runtimes summed
	Lanes                                 int           // slots that ran jobs
	Usage                                 float64       // Busy over Lanes times Wall, in percent
	Status                                string
}

func summarize(run *Run) summary {
	var s summary
	lanes := map[lane]bool{}
	for _, list := range [][]Record{run.Jobs, run.Running} {
		for i := range list {
			r := &list[i]
			lanes[lane{r.Host, r.Slot}] = true
			s.Busy += r.Runtime
			s.CPU += r.CPU
			switch r.Outcome {
			case Success:
				s.Succeeded++
			case Failed:
				s.Failed++
			case TimedOut:
				s.TimedOut++
			case Signaled:
				s.Signaled++
			}
		}
	}
	s.Jobs, s.Running, s.Lanes = len(run.Jobs), len(run.Running), len(lanes)
	s.Wall = run.End.Sub(run.Start)
	if s.Wall > 0 && s.Lanes > 0 {
		s.Usage = 100 * float64(s.Busy) / (float64(s.Wall) * float64(s.Lanes))
	}
	switch {
	case run.Signal != 0:
		s.Status = "stopped by " + unix.SignalName(run.Signal)
	case run.Halted:
		s.Status = "halted (--halt)"
	case !run.Done:
		s.Status = "running: written " + run.End.Format("15:04:05")
	default:
		s.Status = "finished"
	}
	return s
}

// record returns the ith job of run, finished ones first.
func record(run *Run, i int) *Record {
	if i < len(run.Jobs) {
		return &run.Jobs[i]
	}
	return &run.Running[i-len(run.Jobs)]
}

// byStart returns the indexes of run's jobs (see record) in the order
// they started, which the page's timeline searches.
func byStart(run *Run) []int32 {
	order := make([]int32, len(run.Jobs)+len(run.Running))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(a, b int32) int {
		return int(record(run, int(a)).Start - record(run, int(b)).Start)
	})
	return order
}

// data is the page's data: one entry per job in each array (columns
// rather than objects keep 100,000 jobs to a few megabytes). Times are
// in microseconds from the start of the run.
type data struct {
	Wall    int64    `json:"wall"`
	Lanes   [][2]any `json:"lanes"` // host, slot
	Seq     []int64  `json:"seq"`
	Lane    []int32  `json:"lane"`
	Start   []int64  `json:"t"`
	Runtime []int64  `json:"d"`
	CPU     []int64  `json:"cpu"`
	Outcome []int    `json:"o"`
	Exit    []int    `json:"x"`
	Command []string `json:"cmd"`
	Stderr  [][2]any `json:"err"` // job index, tail: failed jobs only
}

func encode(run *Run, order []int32) *data {
	n := len(order)
	d := &data{Wall: run.End.Sub(run.Start).Microseconds(), Lanes: [][2]any{},
		Seq: make([]int64, n), Lane: make([]int32, n), Start: make([]int64, n), Runtime: make([]int64, n),
		CPU: make([]int64, n), Outcome: make([]int, n), Exit: make([]int, n), Command: make([]string, n),
		Stderr: [][2]any{}}
	lanes := laneIndex(run)
	for _, l := range sortedLanes(lanes) {
		d.Lanes = append(d.Lanes, [2]any{l.host, l.slot})
	}
	for k, i := range order {
		r := record(run, int(i))
		d.Seq[k], d.Lane[k] = r.Seq, lanes[lane{r.Host, r.Slot}]
		d.Start[k], d.Runtime[k], d.CPU[k] = r.Start.Microseconds(), r.Runtime.Microseconds(), r.CPU.Microseconds()
		d.Outcome[k], d.Exit[k], d.Command[k] = int(r.Outcome), r.Exit, r.Command
		if r.Stderr != "" {
			d.Stderr = append(d.Stderr, [2]any{k, r.Stderr})
		}
	}
	return d
}

// laneIndex numbers the lanes of run's jobs in the order they are drawn:
// by host, then slot.
func laneIndex(run *Run) map[lane]int32 {
	seen := map[lane]int32{}
	for i := 0; i < len(run.Jobs)+len(run.Running); i++ {
		r := record(run, i)
		seen[lane{r.Host, r.Slot}] = 0
	}
	for k, l := range sortedLanes(seen) {
		seen[l] = int32(k)
	}
	return seen
}

func sortedLanes(m map[lane]int32) []lane {
	ls := make([]lane, 0, len(m))
	for l := range m {
		ls = append(ls, l)
	}
	slices.SortFunc(ls, func(a, b lane) int {
		if c := strings.Compare(a.host, b.host); c != 0 {
			return c
		}
		return a.slot - b.slot
	})
	return ls
}

func laneName(host string, slot int) string {
	if host == "" {
		return fmt.Sprint(slot)
	}
	return fmt.Sprintf("%s:%d", host, slot)
}

// failedRowsOf returns the first failed jobs by number, and how many more
// failed.
func failedRowsOf(run *Run) ([]row, int) {
	var rows []row
	for i := range run.Jobs {
		if r := &run.Jobs[i]; r.Outcome != Success {
			rows = append(rows, row{r, laneName(r.Host, r.Slot)})
		}
	}
	slices.SortFunc(rows, func(a, b row) int { return int(a.Seq - b.Seq) })
	if len(rows) > failedRows {
		return rows[:failedRows], len(rows) - failedRows
	}
	return rows, 0
}

// jobRowsOf returns every job of a small run by number, or the slowest
// of a large one, with the table's title.
func jobRowsOf(run *Run) ([]row, string) {
	n := len(run.Jobs) + len(run.Running)
	rows := make([]row, 0, min(n, allJobsRows))
	if n <= allJobsRows {
		for i := 0; i < n; i++ {
			r := record(run, i)
			rows = append(rows, row{r, laneName(r.Host, r.Slot)})
		}
		slices.SortFunc(rows, func(a, b row) int { return int(a.Seq - b.Seq) })
		return rows, "All jobs"
	}
	for i := 0; i < n; i++ {
		r := record(run, i)
		rows = append(rows, row{r, laneName(r.Host, r.Slot)})
		if len(rows) == 4*slowestRows {
			rows = slowest(rows)
		}
	}
	return slowest(rows), fmt.Sprintf("The %d slowest jobs", slowestRows)
}

// slowest keeps the slowestRows longest-running of rows, slowest first.
func slowest(rows []row) []row {
	slices.SortStableFunc(rows, func(a, b row) int {
		switch {
		case a.Runtime > b.Runtime:
			return -1
		case a.Runtime < b.Runtime:
			return 1
		}
		return int(a.Seq - b.Seq)
	})
	return rows[:min(len(rows), slowestRows)]
}

// fmtDuration shows d to about three significant digits.
func fmtDuration(d time.Duration) string {
	switch {
	case d >= time.Hour:
		return d.Round(time.Second).String()
	case d >= time.Minute:
		return d.Round(100 * time.Millisecond).String()
	case d >= time.Second:
		return fmt.Sprintf("%.3gs", d.Seconds())
	case d >= time.Millisecond:
		return fmt.Sprintf("%.3gms", float64(d)/float64(time.Millisecond))
	case d > 0:
		return fmt.Sprintf("%dµs", d.Microseconds())
	}
	return "0"
}
