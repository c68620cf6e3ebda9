package transfer

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"ossq/internal/ossname"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"unicode/utf8"
)

// Checkpoint file layout: a magic line, the hex SHA-256 of the JSON body,
// then the body. Any edit, truncation or bit flip fails validation and the
// transfer starts over, visibly.
const (
	checkpointMagic   = "OSSQ-CHECKPOINT"
	checkpointVersion = 1
)

// checkpoint pins a transfer to exactly one source and destination; a
// mismatch in any pinned field means the saved parts are not reusable.
// It never holds credentials.
type checkpoint struct {
	Version   int       `json:"version"`
	Direction Direction `json:"direction"`
	Bucket    string    `json:"bucket"`
	Key       string    `json:"key"`
	LocalPath string    `json:"local_path"`
	PartSize  int64     `json:"part_size"`
	Size      int64     `json:"size"`

	// Download: the object as HEAD saw it, and the temp file the parts go to.
	ETag         string `json:"etag,omitempty"`
	VersionID    string `json:"version_id,omitempty"`
	LastModified int64  `json:"last_modified,omitempty"` // unix nanoseconds
	CRC64        string `json:"crc64,omitempty"`
	TempPath     string `json:"temp_path,omitempty"`

	// Upload: the source file as stat saw it, and the multipart upload.
	FileMTime int64  `json:"file_mtime,omitempty"` // unix nanoseconds
	UploadID  string `json:"upload_id,omitempty"`

	Parts []cpPart `json:"parts"`
}

// cpPart is one part. For downloads Done bytes from the part's start are on
// disk (synced before this was written) and CRC is their CRC64. For uploads
// Done is either 0 or the part size, with the ETag the server returned.
type cpPart struct {
	Number int    `json:"n"`
	Done   int64  `json:"done"`
	CRC    uint64 `json:"crc"`
	ETag   string `json:"etag,omitempty"`
}

func encodeCheckpoint(cp *checkpoint) ([]byte, error) {
	cp.Version = checkpointVersion
	body, err := json.Marshal(cp)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(body)
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %d\n%s\n", checkpointMagic, checkpointVersion, hex.EncodeToString(sum[:]))
	b.Write(body)
	return b.Bytes(), nil
}

// decodeCheckpoint validates and parses a checkpoint; its errors are shown
// to the user as the reason the transfer started over.
func decodeCheckpoint(data []byte) (*checkpoint, error) {
	header, rest, ok := bytes.Cut(data, []byte("\n"))
	if !ok || !strings.HasPrefix(string(header), checkpointMagic+" ") {
		return nil, errors.New("checkpoint is not an ossq checkpoint (bad header)")
	}
	if v := strings.TrimPrefix(string(header), checkpointMagic+" "); v != fmt.Sprint(checkpointVersion) {
		return nil, fmt.Errorf("checkpoint has unsupported version %q", v)
	}
	sumHex, body, ok := bytes.Cut(rest, []byte("\n"))
	if !ok {
		return nil, errors.New("checkpoint is truncated")
	}
	want, err := hex.DecodeString(string(sumHex))
	if err != nil || len(want) != sha256.Size {
		return nil, errors.New("checkpoint is corrupted (bad checksum line)")
	}
	got := sha256.Sum256(body)
	if !bytes.Equal(got[:], want) {
		return nil, errors.New("checkpoint is corrupted, truncated or was edited (checksum mismatch)")
	}
	var cp checkpoint
	if err := json.Unmarshal(body, &cp); err != nil {
		return nil, fmt.Errorf("checkpoint is corrupted: %w", err)
	}
	if cp.Version != checkpointVersion {
		return nil, fmt.Errorf("checkpoint has unsupported version %d", cp.Version)
	}
	if err := cp.validateParts(); err != nil {
		return nil, err
	}
	return &cp, nil
}

// Bounds on what a checkpoint may claim. OSS objects hold at most
// 48.8 TiB and 10,000 parts (uploads); downloads are planned with at most
// 10,000 parts too. Anything beyond is a damaged or forged file.
const (
	maxCheckpointSize  = 48_800 << 30
	maxCheckpointParts = ossname.MaxParts
	// maxCheckpointBytes bounds the file read: 10,000 parts take under 1 MiB.
	maxCheckpointBytes = 4 << 20
)

// validateParts checks that the part list fits the size and part size, so a
// forged-but-checksummed file still cannot make us claim bytes out of range.
// Every count is bounded before it is used in arithmetic, so no overflow.
func (cp *checkpoint) validateParts() error {
	if cp.Size < 0 || cp.Size > maxCheckpointSize || cp.PartSize <= 0 || cp.PartSize > maxCheckpointSize {
		return errors.New("checkpoint has an invalid size or part size")
	}
	want := cp.Size / cp.PartSize
	if cp.Size%cp.PartSize != 0 || cp.Size == 0 {
		want++
	}
	if want > maxCheckpointParts {
		return fmt.Errorf("checkpoint claims %d parts, more than the %d allowed", want, maxCheckpointParts)
	}
	if int64(len(cp.Parts)) != want {
		return errors.New("checkpoint's part list does not match the object size")
	}
	for i, p := range cp.Parts {
		_, size := partRange(cp.Size, cp.PartSize, i)
		if p.Number != i+1 || p.Done < 0 || p.Done > size {
			return fmt.Errorf("checkpoint part %d is out of range", i+1)
		}
		if cp.Direction == Upload && p.Done != 0 && p.Done != size {
			return fmt.Errorf("checkpoint part %d of an upload is partly done", i+1)
		}
	}
	return nil
}

func readCheckpoint(path string) (*checkpoint, error) {
	data, err := readCheckpointBytes(path)
	if err != nil {
		return nil, err
	}
	return decodeCheckpoint(data)
}

func readCheckpointBytes(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxCheckpointBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxCheckpointBytes {
		return nil, fmt.Errorf("checkpoint is larger than %d bytes", maxCheckpointBytes)
	}
	return data, nil
}

// salvagedFields are the string fields salvageCheckpoint looks for.
var salvagedFields = regexp.MustCompile(`"(direction|bucket|key|local_path|upload_id|temp_path)":("(?:[^"\\]|\\.)*")`)

// salvageCheckpoint reads what it can of a checkpoint that failed
// validation (edited, truncated, corrupted): the fields naming what it
// pinned, so the multipart upload or temp file it recorded can still be
// removed instead of left behind. Nothing in it is trusted to resume from;
// callers must match its bucket, key and local path to their transfer.
func salvageCheckpoint(data []byte) *checkpoint {
	var cp checkpoint
	for _, m := range salvagedFields.FindAllSubmatch(data, -1) {
		var v string
		if json.Unmarshal(m[2], &v) != nil {
			continue
		}
		switch string(m[1]) {
		case "direction":
			cp.Direction = Direction(v)
		case "bucket":
			cp.Bucket = v
		case "key":
			cp.Key = v
		case "local_path":
			cp.LocalPath = v
		case "upload_id":
			cp.UploadID = v
		case "temp_path":
			cp.TempPath = v
		}
	}
	return &cp
}

// writeFileAtomic writes data to a temp file beside path, fsyncs it, renames
// it over path and fsyncs the directory, so a crash leaves either the old or
// the new file, never a torn one. Mode 0600: these files are nobody else's.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	fail := func(err error) error {
		tmp.Close()
		os.Remove(name)
		return err
	}
	if err := tmp.Chmod(0o600); err != nil {
		return fail(err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(name)
		return err
	}
	if err := os.Rename(name, path); err != nil {
		os.Remove(name)
		return err
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	// Some file systems refuse fsync on directories (EINVAL); the rename
	// itself still happened, so only real I/O errors count.
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return err
	}
	return nil
}

func writeCheckpoint(path string, cp *checkpoint) error {
	data, err := encodeCheckpoint(cp)
	if err != nil {
		return fmt.Errorf("encode checkpoint: %w", err)
	}
	if err := writeFileAtomic(path, data); err != nil {
		return fmt.Errorf("write checkpoint: %w", err)
	}
	return nil
}

// checkpointName derives a stable file name from what the transfer moves,
// so the same transfer finds its checkpoint again after a restart.
func checkpointName(dir Direction, bucket, key, localPath string) string {
	h := sha256.Sum256([]byte(string(dir) + "\x00" + bucket + "\x00" + key + "\x00" + localPath))
	return hex.EncodeToString(h[:16]) + ".cp"
}

// lockName derives the per-destination lock file name: for a download the
// local file, for an upload the object, because that is what two transfers
// must not share.
func lockName(dir Direction, bucket, key, localPath string) string {
	id := "download\x00" + localPath
	if dir == Upload {
		id = "upload\x00" + bucket + "\x00" + key
	}
	h := sha256.Sum256([]byte(id))
	return hex.EncodeToString(h[:16]) + ".lock"
}

func randomSuffix() string {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b[:])
}

// tempPathFor is the download temp file: beside the destination, the
// original name plus a random suffix, so a crash never leaves a half file
// under the real name.
func tempPathFor(dest string) string {
	return tempPrefix(dest) + randomSuffix() + ".part"
}

// Temp file names are <stem>.ossq-<12 hex>.part.
const (
	tempMarker    = ".ossq-"
	tempSuffixLen = 12
	tempExt       = ".part"
	maxTempStem   = maxNameBytes - len(tempMarker) - tempSuffixLen - len(tempExt)
)

// tempPrefix is the temp file path of dest up to the random suffix. A name
// too long to take the suffix is cut (at a UTF-8 boundary) and tagged with a
// hash of the whole name, so the temp name fits and long names that share
// their start still get different temp names.
func tempPrefix(dest string) string {
	dir, base := filepath.Split(dest)
	if len(base) > maxTempStem {
		h := sha256.Sum256([]byte(base))
		tag := "~" + hex.EncodeToString(h[:4])
		base = truncateUTF8(base, maxTempStem-len(tag)) + tag
	}
	return dir + base + tempMarker
}

// truncateUTF8 cuts s to at most n bytes without splitting a character.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	if n <= 0 {
		return ""
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// isTempNameFor reports whether name is a temp file name of the
// destination whose file name prefix (see tempPrefix) is stemMarker.
func isTempNameFor(name, stemMarker string) bool {
	return len(name) == len(stemMarker)+tempSuffixLen+len(tempExt) &&
		strings.HasPrefix(name, stemMarker) && looksLikeTempName(name)
}

// looksLikeTempName reports whether a file name has the form of an ossq
// temp file, <anything>.ossq-<12 lowercase hex>.part. Such names are
// reserved: the stale-temp sweep deletes them.
func looksLikeTempName(name string) bool {
	rest, ok := strings.CutSuffix(name, tempExt)
	if !ok || len(rest) < len(tempMarker)+tempSuffixLen {
		return false
	}
	suffix := rest[len(rest)-tempSuffixLen:]
	if rest[len(rest)-tempSuffixLen-len(tempMarker):len(rest)-tempSuffixLen] != tempMarker {
		return false
	}
	for i := 0; i < len(suffix); i++ {
		if c := suffix[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func partCount(size, partSize int64) int {
	if size <= 0 {
		return 1
	}
	n := size / partSize // not (size+partSize-1)/partSize: that overflows near MaxInt64
	if size%partSize != 0 {
		n++
	}
	return int(n)
}

func partRange(size, partSize int64, i int) (off, n int64) {
	off = int64(i) * partSize
	n = partSize
	if off+n > size {
		n = size - off
	}
	if n < 0 {
		n = 0
	}
	return off, n
}

// sourcePin is what a checkpoint pins its source by: an object's ETag,
// size, modification time and version, or a local file's size and mtime.
type sourcePin struct {
	ETag      string
	Size      int64
	MTime     int64 // unix nanoseconds
	VersionID string
}

func objectPin(obj Object) sourcePin {
	return sourcePin{ETag: obj.ETag, Size: obj.Size, MTime: obj.LastModified.UnixNano(), VersionID: obj.VersionID}
}

func (s fileStamp) pin() sourcePin { return sourcePin{Size: s.size, MTime: s.mtime} }

// pin is the source cp was written for.
func (cp *checkpoint) pin() sourcePin {
	if cp.Direction == Upload {
		return sourcePin{Size: cp.Size, MTime: cp.FileMTime}
	}
	return sourcePin{ETag: cp.ETag, Size: cp.Size, MTime: cp.LastModified, VersionID: cp.VersionID}
}

// belongsTo reports whether cp was written for spec's transfer: the same
// direction, bucket, key and local path.
func (cp *checkpoint) belongsTo(spec Spec) bool {
	return cp.Direction == spec.Direction && cp.Bucket == spec.Bucket && cp.Key == spec.Key && cp.LocalPath == spec.LocalPath
}

// mismatch says why cp cannot resume spec's transfer from the source as it
// is now, "" when it can: the one comparison of a checkpoint's pins.
func (cp *checkpoint) mismatch(spec Spec, now sourcePin) string {
	switch {
	case !cp.belongsTo(spec):
		return "checkpoint belongs to another transfer"
	case cp.pin() == now:
		return ""
	case spec.Direction == Upload:
		return "local file changed since the checkpoint (size or modification time)"
	}
	return "object changed since the checkpoint (ETag, size or modification time)"
}
