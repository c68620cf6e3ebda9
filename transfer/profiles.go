package transfer

import (
	"errors"
	"fmt"
	"sync"
)

// Each job remembers the profile it was queued under (its name, endpoint
// and region; never a secret) and runs with that profile's store whatever
// profile ossq was started with. Options.StoreFor builds a store for a
// profile name; the engine keeps one per name.

// errNoProfile: the job's profile is gone from the config; the job waits
// (paused, saying so) until ossq runs with a config that has it.
var errNoProfile = errors.New("profile not found")

type profileStores struct {
	mu     sync.Mutex
	stores map[string]Store
}

// storeOf is the store a job's run talks to (set when the run starts).
func (e *Engine) storeOf(t *transfer) Store {
	if t != nil && t.store != nil {
		return t.store
	}
	return e.store
}

// storeForProfile returns the store for a job of profile name: the
// engine's own for its profile (or no profile), else one built by
// Options.StoreFor and kept.
func (e *Engine) storeForProfile(name string) (Store, error) {
	if name == "" || name == e.opts.Profile || e.opts.StoreFor == nil {
		return e.store, nil
	}
	e.profiles.mu.Lock()
	defer e.profiles.mu.Unlock()
	if s := e.profiles.stores[name]; s != nil {
		return s, nil
	}
	s, err := e.opts.StoreFor(name)
	if err != nil {
		return nil, fmt.Errorf("%w: the job was queued under profile %q: %v — it waits until ossq runs with a config that has it", errNoProfile, name, err)
	}
	if e.profiles.stores == nil {
		e.profiles.stores = map[string]Store{}
	}
	e.profiles.stores[name] = s
	return s, nil
}

// recordProfile stamps a new job with the engine's profile, so a later
// process started under another profile still runs it with this one.
func (e *Engine) recordProfile(spec *Spec) {
	if spec.Profile == "" {
		spec.Profile, spec.Endpoint, spec.Region = e.opts.Profile, e.opts.Endpoint, e.opts.Region
	}
}
