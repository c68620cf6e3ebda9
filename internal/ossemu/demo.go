package ossemu

import (
	"fmt"
	"strings"
)

// DemoRatePerConn is the per-connection bandwidth cap `ossq --demo` uses, so
// transfers last long enough to watch, pause and resume.
const DemoRatePerConn = 6 << 20

// Demo bucket names.
const (
	DemoMediaBucket = "demo-media"
	DemoLogsBucket  = "demo-logs"
	DemoOddBucket   = "demo-odd"
)

type demoObject struct {
	bucket, key  string
	size         int64
	seed         int64
	storageClass string
}

const (
	kib = int64(1) << 10
	mib = int64(1) << 20
	gib = int64(1) << 30
)

func demoObjects() []demoObject {
	objs := []demoObject{
		{DemoMediaBucket, "videos/2024/keynote-4k.mp4", 4 * gib, 1001, ""},
		{DemoMediaBucket, "videos/2024/launch-1080p.mp4", 1 * gib, 1002, ""},
		{DemoMediaBucket, "videos/2024/teaser.mp4", 200 * mib, 1003, ""},
		{DemoMediaBucket, "videos/2025/interview-raw.mp4", 640 * mib, 1004, ""},
		{DemoMediaBucket, "videos/2025/clips/intro.mp4", 48 * mib, 1005, ""},
		{DemoMediaBucket, "videos/2025/clips/outro.mp4", 33*mib + 123*kib, 1006, ""},
		{DemoMediaBucket, "images/2024/poster.png", 7*mib + 5, 1007, ""},
		{DemoMediaBucket, "images/2024/thumbs/t-001.jpg", 180 * kib, 1008, ""},
		{DemoMediaBucket, "images/2024/thumbs/t-002.jpg", 212 * kib, 1009, ""},
		{DemoMediaBucket, "datasets/sensor-dump.bin", 96 * mib, 1010, ""},
		{DemoMediaBucket, "datasets/empty.bin", 0, 1011, ""},
		{DemoMediaBucket, "archive/cold-backup.tar", 300 * mib, 1012, classArchive},
		{DemoMediaBucket, "archive/older/2019-backup.tar", 64 * mib, 1013, classColdArchive},
		{DemoMediaBucket, "README.txt", 2 * kib, 1014, ""},
	}
	// demo-logs: 500 small logs under logs/2026/11/<day>/<hour>/.
	for i := range 500 {
		day, hour := 17+i/120, (i/5)%24
		key := fmt.Sprintf("logs/2026/11/%02d/%02d/app-%03d.log", day, hour, i)
		objs = append(objs, demoObject{DemoLogsBucket, key, 512 + int64(i*97%20000), int64(2000 + i), ""})
	}
	odd := []string{
		"日本語/ファイル.txt", "spaces in name.txt", "plus+sign+name.txt", "100% done.txt", "a//b", "../escape-attempt.txt",
		"./dot-slash-start.txt", "ümlaut/ñandú/emoji-🎉.bin", "tab\tand\x0ccontrol.txt", "question?hash#amp&.txt",
		"deep/" + strings.Repeat("nested/", 20) + "leaf.txt", strings.Repeat("very-long-name-", 60) + "end.txt",
	}
	for i, key := range odd {
		objs = append(objs, demoObject{DemoOddBucket, key, int64(100 + i*1000), int64(3000 + i), ""})
	}
	return objs
}

// SeedDemo creates the demo buckets and objects (all generated, so a 4 GiB
// object costs a descriptor). It is idempotent: objects already present
// with the same size and seed are kept. Descriptor writes skip per-file
// fsync to stay well under 2 s on the first run; a crash mid-seed leaves at
// worst unreadable descriptors, which the next start skips and this
// function recreates.
func SeedDemo(s *Server) error {
	for _, b := range []string{DemoMediaBucket, DemoLogsBucket, DemoOddBucket} {
		if err := s.CreateBucket(b); err != nil {
			return err
		}
	}
	wrote := map[string]bool{}
	for _, o := range demoObjects() {
		class := o.storageClass
		if class == "" {
			class = classStandard
		}
		if s.hasGenerated(o.bucket, o.key, o.size, o.seed, class) {
			continue
		}
		if err := s.putGenerated(o.bucket, o.key, o.size, o.seed, class, false); err != nil {
			return fmt.Errorf("ossemu: demo object %s/%s: %w", o.bucket, o.key, err)
		}
		wrote[o.bucket] = true
	}
	for b := range wrote {
		syncDir(s.objDir(b))
	}
	return nil
}

func (s *Server) hasGenerated(bucket, key string, size, seed int64, class string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	b := s.buckets[bucket]
	if b == nil {
		return false
	}
	om := b.objects[key]
	return om != nil && om.Generated && om.Size == size && om.GenSeed == seed && om.StorageClass == class
}
