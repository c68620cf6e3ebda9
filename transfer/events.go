package transfer

import (
	"sync"
	"time"
)

// eventQueue is an unbounded FIFO with one forwarding goroutine, so the
// engine never blocks on a reader that is slow or absent.
type eventQueue struct {
	mu      sync.Mutex
	items   []Event
	closed  bool
	notify  chan struct{}
	abandon chan struct{}
	out     chan Event
}

// eventDrainGrace is how long after Close undelivered events wait for a
// reader before the forwarder gives up and closes the channel.
const eventDrainGrace = 5 * time.Second

func newEventQueue() *eventQueue {
	q := &eventQueue{notify: make(chan struct{}, 1), abandon: make(chan struct{}), out: make(chan Event)}
	go q.forward()
	return q
}

func (q *eventQueue) push(ev Event) {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return
	}
	q.items = append(q.items, ev)
	q.mu.Unlock()
	select {
	case q.notify <- struct{}{}:
	default:
	}
}

func (q *eventQueue) forward() {
	defer close(q.out)
	for {
		q.mu.Lock()
		if len(q.items) == 0 {
			closed := q.closed
			q.mu.Unlock()
			if closed {
				return
			}
			<-q.notify
			continue
		}
		ev := q.items[0]
		q.items[0] = Event{}
		q.items = q.items[1:]
		q.mu.Unlock()
		select {
		case q.out <- ev:
		case <-q.abandon:
			return
		}
	}
}

func (q *eventQueue) close() {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return
	}
	q.closed = true
	q.mu.Unlock()
	select {
	case q.notify <- struct{}{}:
	default:
	}
	time.AfterFunc(eventDrainGrace, func() { close(q.abandon) })
}
