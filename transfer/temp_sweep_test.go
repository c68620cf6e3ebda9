package transfer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStaleTempSweepSparesLookalikes: downloading "a" swept every
// "a.ossq-<any 12 chars>.part" beside it, including finished downloads of
// keys with such names. Only real temp names (12 lowercase hex) go.
func TestStaleTempSweepSparesLookalikes(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.srv.PutBytes(testBucket, "d/a.ossq-holidayphoto.part", []byte("precious"))
	env.srv.PutBytes(testBucket, "d/a", []byte("x"))
	e := env.open(env.testOptions())
	out := filepath.Join(env.dir, "out")
	precious := filepath.Join(out, "a.ossq-holidayphoto.part")
	id1, err := e.Add(Spec{Direction: Download, Bucket: testBucket, Key: "d/a.ossq-holidayphoto.part", LocalPath: precious})
	if err != nil {
		t.Fatal(err)
	}
	mustDone(t, e, id1)
	stale := filepath.Join(out, "a.ossq-0123456789ab.part") // what a crash leaves
	if err := os.WriteFile(stale, []byte("half"), 0o600); err != nil {
		t.Fatal(err)
	}
	id2, err := e.Add(Spec{Direction: Download, Bucket: testBucket, Key: "d/a", LocalPath: filepath.Join(out, "a")})
	if err != nil {
		t.Fatal(err)
	}
	mustDone(t, e, id2)
	assertFile(t, precious, []byte("precious"))
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("a real stale temp file was not swept: %v", err)
	}
}

// TestTempLookingNamesRefused: names a later sweep would delete are refused
// up front, with a reason.
func TestTempLookingNamesRefused(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	e := env.open(env.testOptions())
	if _, err := LocalPathForKey(env.dir, "d/a.ossq-0123456789ab.part", "d/"); err == nil || !strings.Contains(err.Error(), "reserved") {
		t.Errorf("LocalPathForKey of a temp-looking name: %v, want a 'reserved' error", err)
	}
	if _, err := LocalPathForKey(env.dir, "d/a.ossq-0123456789ab.part/x", "d/"); err != nil {
		t.Errorf("a folder with that form is no problem: %v", err)
	}
	_, err := e.Add(Spec{Direction: Download, Bucket: testBucket, Key: "k", LocalPath: filepath.Join(env.dir, "k.ossq-00000000000f.part")})
	if err == nil || !strings.Contains(err.Error(), "reserved") {
		t.Errorf("Add to a temp-looking destination: %v, want a 'reserved' error", err)
	}
	for name, want := range map[string]bool{
		"a.ossq-0123456789ab.part": true, ".ossq-abcdefabcdef.part": true,
		"a.ossq-0123456789AB.part": false, "a.ossq-holidayphoto.part": false, "a.ossq-0123456789ab.parts": false,
		"a.ossq-0123456789a.part": false, "part": false,
	} {
		if got := looksLikeTempName(name); got != want {
			t.Errorf("looksLikeTempName(%q) = %v, want %v", name, got, want)
		}
	}
}
