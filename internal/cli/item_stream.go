package cli

import (
	"slices"
	"sync"
	"time"

	"ossq/transfer"
)

// itemStreamEvery is how often --json looks for items that ended.
const itemStreamEvery = 250 * time.Millisecond

// itemStream writes each item's --json event as the item ends, while the
// folder job runs. Items are dispatched in seq order, so every seq up to the
// highest one seen ended has either been written or is in flight (gaps, at
// most about file_parallel of them). Each look reads each ended state's
// index from its own cursor (one seek each: they are keyed by seq) and looks
// the gaps up one by one, so a look costs what ended since the last one plus
// what is in flight, never the job — however long one early item takes.
type itemStream struct {
	out     *jsonOut
	eng     *transfer.Engine
	id      transfer.ID
	cursor  map[transfer.ItemState]uint64 // last seq read from that state's index
	maxSeen uint64                        // every seq up to it is written or in gaps
	gaps    map[uint64]bool               // seqs up to maxSeen not ended at the last look

	quit chan struct{}
	wg   sync.WaitGroup
}

// startItemStream polls until stop; nil (a no-op) without --json.
func startItemStream(out *jsonOut, eng *transfer.Engine, id transfer.ID) *itemStream {
	if out.enc == nil {
		return nil
	}
	s := &itemStream{out: out, eng: eng, id: id, cursor: map[transfer.ItemState]uint64{}, gaps: map[uint64]bool{}, quit: make(chan struct{})}
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
	// The items in flight at the last look that have ended since.
	for seq := range s.gaps {
		for _, st := range endedStates {
			w := s.eng.Window(transfer.WindowRequest{Limit: 1, Items: &transfer.ItemsRequest{Job: s.id, State: st, AfterSeq: seq - 1, Limit: 1}})
			if len(w.Items) == 1 && w.Items[0].Seq == seq {
				s.out.itemEvent(w.Items[0])
				delete(s.gaps, seq)
				break
			}
		}
	}
	// What ended past each state's cursor; an ended gap met here again
	// was written just above.
	var seen []uint64
	for _, st := range endedStates {
		for {
			page := s.eng.Window(transfer.WindowRequest{Limit: 1, Items: &transfer.ItemsRequest{Job: s.id, State: st, AfterSeq: s.cursor[st], Limit: itemStreamPage}})
			for _, it := range page.Items {
				s.cursor[st] = it.Seq
				switch {
				case it.Seq > s.maxSeen:
					s.out.itemEvent(it)
					seen = append(seen, it.Seq)
				case s.gaps[it.Seq]:
					s.out.itemEvent(it)
					delete(s.gaps, it.Seq)
				}
			}
			if len(page.Items) < itemStreamPage {
				break
			}
		}
	}
	// Seqs up to the highest new one that no state had are in flight.
	if len(seen) > 0 {
		slices.Sort(seen)
		next := s.maxSeen + 1
		for _, seq := range seen {
			for ; next < seq; next++ {
				s.gaps[next] = true
			}
			next = seq + 1
		}
		s.maxSeen = seen[len(seen)-1]
	}
	s.out.flush()
}
