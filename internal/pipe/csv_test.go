package pipe

import (
	"reflect"
	"testing"
)

// A CSV block is cut only after a newline outside quotes.
func TestCSVCutter(t *testing.T) {
	t.Parallel()
	c := csvCutter{}
	b := []byte("a,\"b\nc\"\nd\n\"\"\n\"x\n")
	var cuts []int
	c.each(b, func(p int) bool { cuts = append(cuts, p); return true })
	if want := []int{8, 10, 13}; !reflect.DeepEqual(cuts, want) {
		t.Fatalf("cuts %v, want %v", cuts, want)
	}
	if got := c.last(b); got != 13 {
		t.Errorf("last = %d", got)
	}
	if got := c.first(b, 8); got != 10 {
		t.Errorf("first after 8 = %d", got)
	}
	if got, n := c.nth(b, 2); got != 10 || n != 2 {
		t.Errorf("nth 2 = %d, %d", got, n)
	}
	if got, n := c.nth(b, 5); got != -1 || n != 3 {
		t.Errorf("nth 5 = %d, %d", got, n)
	}
}
