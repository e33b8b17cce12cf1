package input

import (
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

func TestBatch(t *testing.T) {
	t.Parallel()
	five := func() Source { return a("a", "b", "c", "d", "e") }
	tests := []struct {
		name     string
		src      Source
		max      int
		maxBytes int
		spread   int
		want     [][]string
	}{
		{"pass-through", five(), 1, 0, 0, recs("a", "b", "c", "d", "e")},
		{"zero is no limit", five(), 0, 0, 0, recs("a|b|c|d|e")},
		{"one with a length limit", five(), 1, 3, 0, recs("a", "b", "c", "d", "e")},
		{"-n2", five(), 2, 0, 0, recs("a|b", "c|d", "e")},
		{"-n5", five(), 5, 0, 0, recs("a|b|c|d|e")},
		{"-n9", five(), 9, 0, 0, recs("a|b|c|d|e")},
		{"empty", a(), 3, 0, 0, nil},
		{"bytes", five(), 1 << 30, 4, 0, recs("a|b", "c|d", "e")},
		{"bytes, no count", five(), 0, 6, 0, recs("a|b|c", "d|e")},
		{"bytes and count", five(), 2, 100, 0, recs("a|b", "c|d", "e")},
		{"exactly full", a("aaa", "b", "c"), 1 << 30, 4, 0, recs("aaa", "b|c")},
		{"empty values count", a("", "", ""), 1 << 30, 2, 0, recs("|", "")},
		// -N2 ::: a b c ::: x y counts records, not values.
		{"records of several values", Combine([][]Source{{a("a", "b", "c")}, {a("x", "y")}}), 2, 0,
			0, recs("a|x|a|y", "b|x|b|y", "c|x|c|y")},
		// -n2 --colsep , ::: a,b c,d e
		{"columns", Args([]string{"a,b", "c,d", "e"}, Format{Colsep: comma}), 2, 0, 0, recs("a|b|c|d", "e")},
		{"columns and bytes", Args([]string{"a,b", "c,d", "e"}, Format{Colsep: comma}), 0, 6, 0, recs("a|b", "c|d|e")},
		// -X -j2 ::: a b c d e: the input ends in the first batch.
		{"spread", five(), 1 << 30, 1 << 20, 2, recs("a|b|c", "d|e")},
		{"spread over more slots than records", five(), 1 << 30, 1 << 20, 8, recs("a", "b", "c", "d", "e")},
		{"spread of one record", a("a"), 1 << 30, 1 << 20, 4, recs("a")},
		{"spread of one slot", five(), 1 << 30, 1 << 20, 1, recs("a|b|c|d|e")},
		// -X -j3 ::: a b ::: c d: records of two values spread as wholes.
		{"spread records", Combine([][]Source{{a("a", "b")}, {a("c", "d")}}), 1 << 30, 1 << 20, 3,
			recs("a|c|a|d", "b|c|b|d")},
		// Only the batch in which the input ends spreads: a(6) b fill the
		// first, the input ends with c d e f in the second.
		{"spread at the end", a("aaaaaa", "b", "c", "d", "e", "f"), 1 << 30, 10, 2, recs("aaaaaa|b", "c|d", "e|f")},
		// -X -n2 -j3: a batch full by count spreads if the input ends there.
		{"full batches before the end do not spread", five(), 2, 0, 3, recs("a|b", "c|d", "e")},
		{"spread when full at the very end", a("a", "b", "c", "d"), 2, 0, 3, recs("a|b", "c", "d")},
		{"spread to one each", a("aaaaaaa", "b", "c", "d", "e"), 1 << 30, 10, 4, recs("aaaaaaa|b", "c", "d", "e")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Packing{Max: tt.max, Spread: tt.spread}
			if tt.maxBytes > 0 {
				p.Meter, p.MaxLen = &sumMeter{}, tt.maxBytes+1
			}
			if got := all(t, Batch(tt.src, p)); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestBatchError(t *testing.T) {
	t.Parallel()
	// The records read before a failure still form a batch.
	b := Batch(&broken{3}, Packing{Max: 2, Spread: 2})
	for i, want := range [][]string{{"v", "v"}, {"v"}} {
		if rec, err := b.Next(); err != nil || !reflect.DeepEqual(rec, want) {
			t.Fatalf("batch %d: %q, %v", i, rec, err)
		}
	}
	_, err := b.Next()
	if err == nil || err.Error() != "broken source" {
		t.Fatalf("err = %v", err)
	}
	if _, again := b.Next(); !errors.Is(again, err) {
		t.Fatalf("the error did not stick: %v", again)
	}
}

// sumMeter measures a line as its values and a space before each, the
// line of a command that is only {}.
type sumMeter struct{ n, prev int }

func (m *sumMeter) Reset(int64) { m.n, m.prev = 0, 0 }
func (m *sumMeter) Undo()       { m.n = m.prev }
func (m *sumMeter) Add(line []string, n int) int {
	m.prev = m.n
	for _, v := range line[len(line)-n:] {
		m.n += len(v) + 1
	}
	return m.n
}

// A record too long for a line of its own ends the batches with an error
// that says how long and names it; the batches before it come out.
func TestBatchLong(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 1<<20)
	for _, max := range []int{1, 1 << 30} {
		b := Batch(a("a", "b", long, "c"), Packing{Max: max, Meter: &sumMeter{}, MaxLen: 1000})
		var got [][]string
		var err error
		for {
			var rec []string
			if rec, err = b.Next(); err != nil {
				break
			}
			got = append(got, rec)
		}
		var tl *LineTooLongError
		if !errors.As(err, &tl) || tl.Len != 1<<20+1 || tl.Max != 1000 || tl.Record[0] != long {
			t.Fatalf("-n%d: err = %v", max, err)
		}
		if want := map[int][][]string{1: recs("a", "b"), 1 << 30: recs("a|b")}[max]; !reflect.DeepEqual(got, want) {
			t.Fatalf("-n%d: got %q before the error", max, got)
		}
		if _, again := b.Next(); again != err {
			t.Fatalf("the error did not stick: %v", again)
		}
	}
}

// TestBatchLimit holds the packer to the limit at its edge: a line exactly
// at the limit is too long, one under it fits, as in GNU parallel.
func TestBatchLimit(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		max  int
		want [][]string
	}{
		{7, recs("aa|bb", "cc")},    // "aa bb " is 6
		{6, recs("aa", "bb", "cc")}, // 6 reaches it
		{4, recs("aa", "bb", "cc")},
	} {
		got := all(t, Batch(a("aa", "bb", "cc"), Packing{Max: 0, Meter: &sumMeter{}, MaxLen: c.max}))
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("limit %d: got %q, want %q", c.max, got, c.want)
		}
	}
	_, err := Batch(a("aa"), Packing{Max: 1, Meter: &sumMeter{}, MaxLen: 3}).Next()
	if tl := new(LineTooLongError); !errors.As(err, &tl) || tl.Len != 3 {
		t.Errorf("one over: %v", err)
	}
}

func BenchmarkBatch(b *testing.B) {
	data := strings.Repeat("/data/some/path/file-000123.txt\n", 10000)
	b.ReportAllocs()
	for b.Loop() {
		src := Batch(Reader(strings.NewReader(data), "bench", Format{}), Packing{Max: 1 << 30, Meter: &sumMeter{}, MaxLen: 128 << 10, Spread: 2})
		for {
			if _, err := src.Next(); err != nil {
				break
			}
		}
	}
}

// FuzzBatch checks the packer's promises for any input and limits: every
// value comes out exactly once and in order, no batch holds more than Max
// records or makes a line of MaxLen or more, and the only record left out
// is one whose line alone reaches the limit, which ends the batches with
// an error.
func FuzzBatch(f *testing.F) {
	f.Add("a,bb,ccc,,dddd", uint8(0), uint8(8), uint8(2))
	f.Add("xxxxxxxxxx,a", uint8(3), uint8(5), uint8(0))
	f.Add(",,,,", uint8(1), uint8(2), uint8(4))
	f.Fuzz(func(t *testing.T, in string, max, maxLen, spread uint8) {
		if strings.ContainsAny(in, "\n\x00") {
			t.Skip("a ::: value splits at a newline and loses its NUL")
		}
		values := strings.Split(in, ",")
		p := Packing{Max: int(max % 8), Meter: &sumMeter{}, MaxLen: int(maxLen), Spread: int(spread % 5)}
		b := Batch(a(values...), p)
		var got []string
		for {
			rec, err := b.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			var tl *LineTooLongError
			if errors.As(err, &tl) {
				next := values[len(got)]
				if len(next)+1 < p.MaxLen || tl.Record[0] != next {
					t.Fatalf("refused %q (line %d, limit %d)", tl.Record, tl.Len, p.MaxLen)
				}
				values = values[:len(got)]
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.Max > 0 && len(rec) > p.Max {
				t.Fatalf("%d records in a batch of at most %d", len(rec), p.Max)
			}
			if n := (&sumMeter{}).Add(rec, len(rec)); n >= p.MaxLen {
				t.Fatalf("batch %q makes a line of %d, limit %d", rec, n, p.MaxLen)
			}
			got = append(got, rec...)
		}
		if !reflect.DeepEqual(got, values) && !(len(got) == 0 && len(values) == 0) {
			t.Fatalf("got %q, want %q", got, values)
		}
	})
}
