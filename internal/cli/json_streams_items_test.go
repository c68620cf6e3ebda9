package cli

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// holdingProxy forwards to the emulator but holds every GET of a key
// containing hold until release is called, so a job cannot end before then.
type holdingProxy struct {
	srv      *httptest.Server
	released chan struct{}
	once     sync.Once
}

func newHoldingProxy(t *testing.T, target, hold string) *holdingProxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &holdingProxy{released: make(chan struct{})}
	rp := httputil.NewSingleHostReverseProxy(u)
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && strings.Contains(r.URL.Path, hold) {
			<-p.released
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(func() { p.release(); p.srv.Close() })
	return p
}

func (p *holdingProxy) release() { p.once.Do(func() { close(p.released) }) }

// itemWatcher is stdout: at the first item line it notes whether the proxy
// still held the last object (the job could not have ended) and lets it go.
type itemWatcher struct {
	mu        sync.Mutex
	buf       bytes.Buffer
	proxy     *holdingProxy
	seen      bool
	whileHeld bool
}

func (w *itemWatcher) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(b)
	if !w.seen && strings.Contains(w.buf.String(), `"type":"item"`) {
		w.seen = true
		select {
		case <-w.proxy.released:
		default:
			w.whileHeld = true
		}
		w.proxy.release()
	}
	return len(b), nil
}

// TestJSONWritesEachItemAsItEnds: a folder get of N objects through the
// real server writes N item lines that parse, each key exactly once, the
// summary last, and the first item line while the last object is still
// held at the server, so before the job could finish.
func TestJSONWritesEachItemAsItEnds(t *testing.T) {
	e := newEnv(t, "")
	const n = 40
	putMany(e, "p/", n-1)
	e.put("p/z-last.bin", randomBytes(100, 99))
	proxy := newHoldingProxy(t, e.endpoint, "z-last")
	// Bounds the test, not a timing claim: if no item line came before the
	// job ended, the held GET would never end; this lets it go and the
	// assertion below fails.
	guard := time.AfterFunc(30*time.Second, proxy.release)
	defer guard.Stop()

	out := &itemWatcher{proxy: proxy}
	var errOut bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	args := append(e.baseArgs("get"), "--endpoint", proxy.srv.URL, "--json", "oss://data/p/", filepath.Join(e.work, "down"))
	if code := Run(ctx, "get", args, out, &errOut); code != ExitOK {
		t.Fatalf("exit %d\n%s", code, errOut.String())
	}
	if !out.whileHeld {
		t.Error("no item line was written before the job could finish")
	}
	lines := parseNDJSON(t, out.buf.String())
	summaryOf(t, lines)
	seen := map[string]int{}
	for _, l := range lines[:len(lines)-1] {
		if l["type"] != "item" || l["status"] != "done" {
			t.Errorf("line %v", l)
		}
		seen[l["key"].(string)]++
	}
	if len(seen) != n {
		t.Errorf("%d distinct keys in %d item lines, want %d", len(seen), len(lines)-1, n)
	}
	for k, c := range seen {
		if c != 1 {
			t.Errorf("%s written %d times", k, c)
		}
	}
	for i := range n - 1 {
		if key := fmt.Sprintf("p/f%02d.txt", i); seen[key] != 1 {
			t.Errorf("%s: %d lines", key, seen[key])
		}
	}
}
