package transfer

import (
	"testing"
	"time"
)

// A checkpoint resumes only the transfer it was written for, and only
// while its source is what it pinned: every pinned field counts.
func TestCheckpointPinsItsTransferAndSource(t *testing.T) {
	mtime := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	obj := Object{Key: "k", Size: 5000, ETag: `"e1"`, LastModified: mtime, VersionID: "v1"}
	down := Spec{Direction: Download, Bucket: "b", Key: "k", LocalPath: "/dl/k"}
	cp := checkpoint{Direction: Download, Bucket: "b", Key: "k", LocalPath: "/dl/k", Size: 5000, ETag: `"e1"`,
		LastModified: mtime.UnixNano(), VersionID: "v1"}
	const other, changed = "checkpoint belongs to another transfer", "object changed since the checkpoint (ETag, size or modification time)"
	edit := func(f func(*Object)) sourcePin { o := obj; f(&o); return objectPin(o) }
	spec := func(f func(*Spec)) Spec { s := down; f(&s); return s }
	cases := []struct {
		name string
		spec Spec
		now  sourcePin
		want string
	}{
		{"same", down, objectPin(obj), ""},
		{"another bucket", spec(func(s *Spec) { s.Bucket = "c" }), objectPin(obj), other},
		{"another key", spec(func(s *Spec) { s.Key = "k2" }), objectPin(obj), other},
		{"another destination", spec(func(s *Spec) { s.LocalPath = "/dl/k2" }), objectPin(obj), other},
		{"an upload", spec(func(s *Spec) { s.Direction = Upload }), objectPin(obj), other},
		{"new ETag", down, edit(func(o *Object) { o.ETag = `"e2"` }), changed},
		{"new size", down, edit(func(o *Object) { o.Size++ }), changed},
		{"new time", down, edit(func(o *Object) { o.LastModified = mtime.Add(time.Second) }), changed},
		{"new version", down, edit(func(o *Object) { o.VersionID = "v2" }), changed},
	}
	for _, c := range cases {
		if got := cp.mismatch(c.spec, c.now); got != c.want {
			t.Errorf("%s: mismatch = %q, want %q", c.name, got, c.want)
		}
	}

	up := Spec{Direction: Upload, Bucket: "b", Key: "k", LocalPath: "/src/k"}
	ucp := checkpoint{Direction: Upload, Bucket: "b", Key: "k", LocalPath: "/src/k", Size: 5000, FileMTime: mtime.UnixNano(), UploadID: "u"}
	const fileChanged = "local file changed since the checkpoint (size or modification time)"
	for _, c := range []struct {
		name  string
		stamp fileStamp
		want  string
	}{
		{"same file", fileStamp{size: 5000, mtime: mtime.UnixNano()}, ""},
		{"grown", fileStamp{size: 5001, mtime: mtime.UnixNano()}, fileChanged},
		{"touched", fileStamp{size: 5000, mtime: mtime.UnixNano() + 1}, fileChanged},
	} {
		if got := ucp.mismatch(up, c.stamp.pin()); got != c.want {
			t.Errorf("upload, %s: mismatch = %q, want %q", c.name, got, c.want)
		}
	}
}
