// Package ossemu is ossq's own OSS-compatible HTTP server. The unmodified
// Alibaba Cloud OSS Go SDK v2 talks to it exactly as to OSS (path-style or
// virtual-hosted addressing, V1/V4 signatures, CRC-64 and ETag checks), which
// lets ossq's tests and demo run end to end over real HTTP on loopback.
// Objects persist under a root directory; generated objects (deterministic
// content from a seed) cost only a descriptor. Faults (bandwidth caps,
// latency, 5xx, resets, stalls, truncation, content replacement) are
// injectable and deterministic for a given seed.
//
// It imports no other ossq package on purpose, so the client can never lean
// on the emulator's quirks — but internal/crc64x, a leaf that fuzzing holds
// to hash/crc64 (instrumented table code made the tests' servers slow under
// -race), whose every answer the SDK's own CRC-64 checks hold it to.
//
// The package is split as its peers are (gofakes3's backend and routing):
//
//   - storage*.go: the storage type, with no HTTP: buckets, objects and
//     their versions, multipart uploads, the on-disk layout, loading and
//     the one lock. Its methods return *ossError values, not responses.
//   - routing.go: request parsing and the table from operation to handler;
//     errors.go: the OSS error type and request.fail, the one place an
//     error becomes a response; xml.go: every XML document read or written.
//   - bucket.go, list.go, list_versions.go, objects.go, objects_delete.go,
//     copy.go, multipart.go: the handlers, each returning an error.
//   - auth.go (V1/V4 signatures), sts.go (temporary credentials),
//     region.go (buckets of another region), faults.go and bodyfaults.go
//     (fault injection), stats.go (counters).
//   - objects_seed.go, generated.go, demo.go: objects made from Go, their
//     generated content and the demo data; serve.go: ServeConfig and Serve,
//     what `ossq serve` runs once its flags are parsed.
package ossemu
