package cli

import (
	"sync"
	"time"

	"ossq/transfer"
)

// itemStreamEvery is how often --json looks for items that ended.
const itemStreamEvery = 250 * time.Millisecond

// itemStream writes each item's --json event as the item ends, while the
// folder job runs. Each look reads the ended states' indexes from the
// first item that was not ended at the last look (one seek each: they are
// keyed by seq), writes what it has not written, and moves that mark to
// the first item still pending. Items are dispatched in seq order, so a
// look costs about what is in flight, not the job nor what is listed ahead.
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

const itemStreamPage = 1000

// endedStates are the states an item ends in.
var endedStates = []transfer.ItemState{transfer.ItemDone, transfer.ItemUnchanged, transfer.ItemSkipped, transfer.ItemFailed}

func (s *itemStream) poll() {
	// One window: the job's item total, then the first pending item at or
	// after low (an item in flight is stored pending until it ends). Every
	// item below that one, or up to that total when none is pending, has
	// ended: the next look starts there.
	w := s.eng.Window(transfer.WindowRequest{Limit: 1, Items: &transfer.ItemsRequest{Job: s.id, State: transfer.ItemPending, AfterSeq: s.low - 1, Limit: 1}})
	newLow := s.low
	switch {
	case len(w.Items) > 0:
		newLow = w.Items[0].Seq
	case len(w.Jobs) == 1 && w.Jobs[0].ID == s.id:
		newLow = uint64(w.Jobs[0].Items.Total) + 1
	}
	// Each ended state's index from low: what ended since the last look
	// (and what was written then, skipped by written).
	for _, st := range endedStates {
		after := s.low - 1
		for {
			page := s.eng.Window(transfer.WindowRequest{Limit: 1, Items: &transfer.ItemsRequest{Job: s.id, State: st, AfterSeq: after, Limit: itemStreamPage}})
			for _, it := range page.Items {
				after = it.Seq
				if !s.written[it.Seq] {
					s.out.itemEvent(it)
					s.written[it.Seq] = true
				}
			}
			if len(page.Items) < itemStreamPage {
				break
			}
		}
	}
	for seq := range s.written {
		if seq < newLow {
			delete(s.written, seq)
		}
	}
	s.low = max(s.low, newLow)
	s.out.flush()
}
