package transfer

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"ossq/internal/ossemu"
)

// Uploads through the engine survive the server resetting and truncating
// request bodies (what `ossq serve --body-reset-rate/--body-truncate-rate`
// injects): a single PutObject and a multipart upload both end
// byte-identical, because a reset is retried and a truncated body is caught
// by the CRC64 the server reports for what it stored.
func TestUploadSurvivesBodyResetsAndTruncations(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	opts := env.testOptions()
	opts.Retries = 20
	e := env.open(opts)
	files := map[string][]byte{
		"single.bin": randomFileBytes(200<<10, 1), // below the 256 KiB threshold: one PutObject
		"multi.bin":  randomFileBytes(2<<20, 2),   // 16 parts of 128 KiB
	}
	// Rates high enough that over the ≥ 17 bodies both faults fire (0.65^17 < 0.1 %),
	// whatever order the concurrent parts reach the server in.
	env.srv.SetFaults(ossemu.Faults{BodyResetRate: 0.35, BodyTruncateRate: 0.35, Seed: 5})
	ids := map[string]ID{}
	for name, data := range files {
		path := filepath.Join(env.dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		id, err := e.Add(Spec{Direction: Upload, Bucket: testBucket, Key: "up/" + name, LocalPath: path})
		if err != nil {
			t.Fatal(err)
		}
		ids[name] = id
	}
	for name, id := range ids {
		mustDone(t, e, id)
		if got := env.srv.Object("up/" + name); string(got) != string(files[name]) {
			t.Errorf("%s: object holds %d bytes that differ from the %d uploaded", name, len(got), len(files[name]))
		}
	}
	st := env.srv.Stats()
	t.Logf("injected %d body resets, %d body truncations", st.InjectedBodyResets, st.InjectedBodyTruncations)
	if st.InjectedBodyResets == 0 || st.InjectedBodyTruncations == 0 {
		t.Errorf("the faults did not fire (resets %d, truncations %d): the test proves nothing", st.InjectedBodyResets, st.InjectedBodyTruncations)
	}
}

func randomFileBytes(n int, seed uint64) []byte {
	b := make([]byte, n)
	rand.NewChaCha8([32]byte{byte(seed), 9}).Read(b)
	return b
}
