package cli

import (
	"sync"
	"time"

	"ossq/transfer"
)

// itemStreamEvery is how often --json looks for items that ended.
const itemStreamEvery = 250 * time.Millisecond

// itemStream writes each item's --json event as the item ends, while the
// folder job runs. It reads the job's items in seq order from the first
// one not ended at its last look (every item is keyed by seq, so that is
// one seek), writes those that ended since, and moves its mark past the
// ended run at the front. Items are dispatched in seq order, so a look
// costs about what is in flight or listed ahead, not the whole job.
type itemStream struct {
	out     *jsonOut
	eng     *transfer.Engine
	id      transfer.ID
	low     uint64          // every item below it was written
	written map[uint64]bool // items at or above low already written

	quit chan struct{}
	wg   sync.WaitGroup
}

// startItemStream polls until stop; nil (a no-op) without --json.
func startItemStream(out *jsonOut, eng *transfer.Engine, id transfer.ID) *itemStream {
	if out.enc == nil {
		return nil
	}
	s := &itemStream{out: out, eng: eng, id: id, low: 1, written: map[uint64]bool{}, quit: make(chan struct{})}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		tick := time.NewTicker(itemStreamEvery)
		defer tick.Stop()
		for {
			select {
			case <-s.quit:
				return
			case <-tick.C:
				s.poll()
			}
		}
	}()
	return s
}

// stop ends the polling and writes what ended since the last look; after
// it the stream writes nothing more, so the summary can follow.
func (s *itemStream) stop() {
	if s == nil {
		return
	}
	close(s.quit)
	s.wg.Wait()
	s.poll()
}

func ended(st transfer.ItemState) bool {
	switch st {
	case transfer.ItemDone, transfer.ItemUnchanged, transfer.ItemSkipped, transfer.ItemFailed:
		return true
	}
	return false
}

const itemStreamPage = 1000

func (s *itemStream) poll() {
	after := s.low - 1
	var firstOpen uint64
	for {
		w := s.eng.Window(transfer.WindowRequest{Limit: 1, Items: &transfer.ItemsRequest{Job: s.id, Offset: int(after), Limit: itemStreamPage}})
		for _, it := range w.Items {
			after = it.Seq
			switch {
			case !ended(it.State):
				if firstOpen == 0 {
					firstOpen = it.Seq
				}
			case !s.written[it.Seq]:
				s.out.itemEvent(it)
				s.written[it.Seq] = true
			}
		}
		if len(w.Items) < itemStreamPage {
			break
		}
	}
	newLow := after + 1
	if firstOpen != 0 {
		newLow = firstOpen
	}
	for seq := range s.written {
		if seq < newLow {
			delete(s.written, seq)
		}
	}
	s.low = max(s.low, newLow)
	s.out.flush()
}
