package pipe

import (
	"io"
	"time"
)

// waitReader reads r on a goroutine of its own, so that a read can give
// up after a while (--block-timeout) without losing the bytes that come
// later: they wait in its buffer for the next read.
type waitReader struct {
	r       io.Reader
	ch      chan readChunk
	ack     chan struct{} // the chunk is consumed: its buffer may be used again
	rest    []byte
	err     error
	started bool
	timer   *time.Timer
}

type readChunk struct {
	b   []byte
	err error
}

func newWaitReader(r io.Reader) *waitReader {
	return &waitReader{r: r, ch: make(chan readChunk), ack: make(chan struct{})}
}

func (w *waitReader) loop() {
	buf := make([]byte, 64<<10)
	for {
		n, err := w.r.Read(buf)
		w.ch <- readChunk{buf[:n], err}
		if err != nil {
			return
		}
		<-w.ack
	}
}

// read reads into p, waiting for input until deadline at most (the zero
// time: no limit). It reports whether the deadline passed first.
func (w *waitReader) read(p []byte, deadline time.Time) (int, bool, error) {
	if len(w.rest) == 0 && w.err == nil {
		if !w.started {
			w.started = true
			go w.loop()
		}
		var expired <-chan time.Time
		if !deadline.IsZero() {
			d := time.Until(deadline)
			if d <= 0 {
				return 0, true, nil
			}
			if w.timer == nil {
				w.timer = time.NewTimer(d)
			} else {
				w.timer.Reset(d)
			}
			expired = w.timer.C
		}
		select {
		case c := <-w.ch:
			w.rest, w.err = c.b, c.err
		case <-expired:
			return 0, true, nil
		}
		if w.timer != nil && !w.timer.Stop() {
			select {
			case <-w.timer.C:
			default:
			}
		}
	}
	n := copy(p, w.rest)
	w.rest = w.rest[n:]
	if len(w.rest) > 0 {
		return n, false, nil
	}
	if w.err != nil {
		return n, false, w.err
	}
	w.ack <- struct{}{}
	return n, false, nil
}
