package cli

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkGet measures `ossq get` of a 256 MiB object from the emulator on
// loopback with the default settings (8 MiB parts, 8 in flight):
//
//	go test -run XXX -bench Get -benchtime 3x ./internal/cli/
func BenchmarkGet(b *testing.B) {
	const size = 256 << 20
	e := newEnv(b, "")
	if err := e.server.PutGenerated(testBucket, "bench.bin", size, 42, ""); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(size)
	for i := 0; b.Loop(); i++ {
		dest := filepath.Join(b.TempDir(), "bench.bin")
		if code, _, errOut := e.run("get", "oss://"+testBucket+"/bench.bin", dest); code != ExitOK {
			b.Fatalf("exit %d: %s", code, errOut)
		}
		os.Remove(dest)
	}
}

// BenchmarkPut measures `ossq put` of a 128 MiB file (multipart, 8 MiB parts):
//
//	go test -run XXX -bench Put -benchtime 3x ./internal/cli/
func BenchmarkPut(b *testing.B) {
	const size = 128 << 20
	e := newEnv(b, "")
	src := e.writeFile("bench.bin", randomBytes(size, 8))
	b.SetBytes(size)
	for b.Loop() {
		if code, _, errOut := e.run("put", src, "oss://"+testBucket+"/bench.bin"); code != ExitOK {
			b.Fatalf("exit %d: %s", code, errOut)
		}
	}
}
