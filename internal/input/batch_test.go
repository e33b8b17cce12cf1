package input

import (
	"errors"
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
		{"zero is pass-through", five(), 0, 0, 0, recs("a", "b", "c", "d", "e")},
		{"one with a byte limit", five(), 1, 3, 0, recs("a", "b", "c", "d", "e")},
		{"-n2", five(), 2, 0, 0, recs("a|b", "c|d", "e")},
		{"-n5", five(), 5, 0, 0, recs("a|b|c|d|e")},
		{"-n9", five(), 9, 0, 0, recs("a|b|c|d|e")},
		{"empty", a(), 3, 0, 0, nil},
		{"bytes", five(), 1 << 30, 4, 0, recs("a|b", "c|d", "e")},
		{"bytes, no count", five(), 0, 6, 0, recs("a|b|c", "d|e")},
		{"bytes and count", five(), 2, 100, 0, recs("a|b", "c|d", "e")},
		{"oversized stands alone", a("aaaaaa", "b", "c"), 1 << 30, 4, 0, recs("aaaaaa", "b|c")},
		{"oversized after others", a("b", "aaaaaa", "c"), 1 << 30, 4, 0, recs("b", "aaaaaa", "c")},
		{"oversized last", a("b", "aaaaaa"), 1 << 30, 4, 0, recs("b", "aaaaaa")},
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
			if got := all(t, Batch(tt.src, Packing{Max: tt.max, MaxBytes: tt.maxBytes, Spread: tt.spread})); !reflect.DeepEqual(got, tt.want) {
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

func TestBatchLong(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 1<<20)
	got := all(t, Batch(a("a", long, "b", "c"), Packing{Max: 1 << 30, MaxBytes: 1000}))
	if len(got) != 3 || got[1][0] != long || !reflect.DeepEqual(got[2], []string{"b", "c"}) {
		t.Fatalf("got %d batches", len(got))
	}
}

func BenchmarkBatch(b *testing.B) {
	data := strings.Repeat("/data/some/path/file-000123.txt\n", 10000)
	b.ReportAllocs()
	for b.Loop() {
		src := Batch(Reader(strings.NewReader(data), "bench", Format{}), Packing{Max: 1 << 30, MaxBytes: 128 << 10, Spread: 2})
		for {
			if _, err := src.Next(); err != nil {
				break
			}
		}
	}
}
