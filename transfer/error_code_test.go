package transfer

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"ossq/internal/ossemu"
)

// Every kind of refusal, asked of the real SDK store against the embedded
// server: Code names it, and the ErrorInfo built from it carries the
// request ID, the host and the time for the details view.
func TestCodeOfEachServerRefusal(t *testing.T) {
	srv, err := ossemu.New(ossemu.Config{Root: t.TempDir(), NoSync: true, Credentials: map[string]string{"AKID-test": "right-secret"},
		RestoreDelay: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	ep, err := srv.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	if err := srv.CreateBucket(testBucket); err != nil {
		t.Fatal(err)
	}
	if err := srv.PutGenerated(testBucket, "cold.tar", 4096, 5, "Archive"); err != nil {
		t.Fatal(err)
	}
	store := func(ak, secret string) Store {
		t.Helper()
		opts := ClientOptions{Endpoint: ep, Region: "cn-hangzhou", AccessKeyID: ak, AccessKeySecret: secret, Retries: 1}
		if ak == "" {
			opts = ClientOptions{Endpoint: ep, Region: "cn-hangzhou", Anonymous: true, Retries: 1}
		}
		st, err := NewOSSStore(opts)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	good := store("AKID-test", "right-secret")
	ctx := testCtx(t, 30*time.Second)
	if err := good.(Restorer).RestoreObject(ctx, testBucket, "cold.tar", 1); err != nil {
		t.Fatalf("first restore: %v", err)
	}
	cases := []struct {
		name string
		call func() error
		code string
	}{
		{"unknown bucket", func() error {
			_, err := good.ListObjects(ctx, "no-such-bucket", "", "/", "", 10)
			return err
		}, CodeNoSuchBucket},
		{"missing key (HEAD, no body)", func() error { _, err := good.HeadObject(ctx, testBucket, "missing"); return err }, CodeNoSuchKey},
		{"missing key (GET)", func() error { _, err := good.GetRange(ctx, testBucket, "missing", 0, -1, ""); return err }, CodeNoSuchKey},
		{"wrong secret", func() error {
			_, err := store("AKID-test", "wrong-secret").HeadObject(ctx, testBucket, "cold.tar")
			return err
		}, "SignatureDoesNotMatch"},
		{"unknown access key", func() error {
			_, err := store("AKID-nobody", "right-secret").ListObjects(ctx, testBucket, "", "/", "", 10)
			return err
		}, "InvalidAccessKeyId"},
		{"no signature", func() error {
			_, err := store("", "").ListObjects(ctx, testBucket, "", "/", "", 10)
			return err
		}, CodeAccessDenied},
		{"unknown upload", func() error { _, err := good.ListParts(ctx, testBucket, "k", "no-such-upload"); return err }, CodeNoSuchUpload},
		{"archived object", func() error { _, err := good.GetRange(ctx, testBucket, "cold.tar", 0, -1, ""); return err }, CodeInvalidObjectState},
		{"restore again", func() error { return good.(Restorer).RestoreObject(ctx, testBucket, "cold.tar", 1) }, CodeRestoreAlreadyInProgress},
	}
	for _, c := range cases {
		err := c.call()
		if got := Code(err); got != c.code {
			t.Errorf("%s: Code = %q, want %q (err %v)", c.name, got, c.code, err)
			continue
		}
		// Wrapping, as the engine does with the part and the operation, keeps it.
		if got := Code(fmt.Errorf("part 3: %w", err)); got != c.code {
			t.Errorf("%s: Code through a wrap = %q", c.name, got)
		}
		info := ErrorInfoOf(err)
		if info.Code != c.code || info.RequestID == "" || info.Status < 400 || info.When.IsZero() ||
			!strings.HasSuffix(info.Host, strings.TrimPrefix(ep, "http://")) {
			t.Errorf("%s: ErrorInfo %+v (endpoint %s)", c.name, *info, ep)
		}
		if s := info.Summary(); !strings.Contains(s, c.code) || strings.Contains(s, "\n") {
			t.Errorf("%s: Summary %q", c.name, s)
		}
		if s := info.String(); !strings.Contains(s, info.RequestID) {
			t.Errorf("%s: String %q lacks the request ID", c.name, s)
		}
		if strings.Contains(info.Detail(), "right-secret") || strings.Contains(info.Detail(), "wrong-secret") {
			t.Errorf("%s: a secret leaked into the detail", c.name)
		}
	}
	if err := cases[1].call(); !IsNotFound(err) {
		t.Errorf("IsNotFound(HEAD missing) = false: %v", err)
	}
	if err := cases[0].call(); IsNotFound(err) {
		t.Errorf("IsNotFound(NoSuchBucket) = true: a missing bucket is not a missing object")
	}
}

// A download of an archived object fails through the engine with the OSS
// code and the one summary of that kind in its snapshot.
func TestCodeOfAnArchivedDownload(t *testing.T) {
	env := newTestEnv(t)
	if err := env.srv.PutGenerated(testBucket, "cold.bin", 1000, 1, "Archive"); err != nil {
		t.Fatal(err)
	}
	e := env.open(env.testOptions())
	id, err := e.Add(Spec{Direction: Download, Bucket: testBucket, Key: "cold.bin", LocalPath: filepath.Join(env.dir, "cold.bin")})
	if err != nil {
		t.Fatal(err)
	}
	snap := waitFor(t, e, id)
	if snap.State != StateFailed {
		t.Fatalf("state %s, want failed", snap.State)
	}
	if snap.ErrInfo == nil || snap.ErrInfo.Code != CodeInvalidObjectState {
		t.Fatalf("ErrInfo = %+v, want code %s", snap.ErrInfo, CodeInvalidObjectState)
	}
	if snap.Err != snap.ErrInfo.Summary() {
		t.Errorf("row cause %q is not the summary %q", snap.Err, snap.ErrInfo.Summary())
	}
}

// The engine's own failures have codes too, and nothing else invents one.
func TestCodeOfTheEnginesOwnErrors(t *testing.T) {
	full := &fs.PathError{Op: "write", Path: "/dl/x.part", Err: syscall.ENOSPC}
	cases := []struct {
		name    string
		err     error
		code    string
		summary string // a substring of the summary
	}{
		{"nil", nil, "", ""},
		{"plain", errors.New("something local"), "", "something local"},
		{"canceled", context.Canceled, "", "context canceled"},
		{"disk full", fmt.Errorf("write checkpoint: %w", full), CodeDiskFull, "disk full: write checkpoint: "},
		{"quota", fmt.Errorf("copy: %w", syscall.EDQUOT), CodeDiskFull, "disk full"},
		{"credentials", fmt.Errorf("%w: env still gives the credentials the server refused", ErrCredentials), CodeCredentials, "credentials expired"},
		{"archived", archivedError("GetObject", "Archive"), CodeInvalidObjectState, "GetObject: object is in Archive storage"},
		{"crc", fmt.Errorf("part 2: %w", errCRCMismatch), CodeCRC64Mismatch, "CRC64 mismatch"},
		{"exists", fmt.Errorf("/dl/x: %w", ErrDestinationExists), CodeDestinationExists, "destination exists"},
		{"busy", ErrBusy, CodeDestinationBusy, ErrBusy.Error()},
		{"closed", ErrClosed, CodeEngineClosed, ErrClosed.Error()},
	}
	for _, c := range cases {
		if got := Code(c.err); got != c.code {
			t.Errorf("%s: Code = %q, want %q", c.name, got, c.code)
		}
		if got := Summary(c.err); !strings.Contains(got, c.summary) || (c.err == nil) != (got == "") {
			t.Errorf("%s: Summary = %q, want it to hold %q", c.name, got, c.summary)
		}
		if c.err != nil && shortError(c.err) != Summary(c.err) {
			t.Errorf("%s: the row cause is not the one summary", c.name)
		}
	}
	// CheckpointNotWritten reads the row cause of a full state folder.
	if !CheckpointNotWritten(shortError(fmt.Errorf("%s%w", checkpointWriteText, full))) {
		t.Error("a disk-full checkpoint write no longer reads as one")
	}
}

// The detail form lists what OSS said, field by field, and its one-line
// forms stay one line however long the text.
func TestErrorInfoRenderings(t *testing.T) {
	when := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	info := ErrorInfo{Op: "GetObject part 3", Code: CodeAccessDenied, Message: "denied", Status: 403,
		RequestID: "RID1", HostID: "h.example", Host: "bkt.oss-cn-hangzhou.aliyuncs.com", When: when}
	if got, want := info.Summary(), "GetObject part 3: access denied (AccessDenied)"; got != want {
		t.Errorf("Summary = %q, want %q", got, want)
	}
	if got, want := info.String(), "GetObject part 3: access denied (AccessDenied): denied (HTTP 403, request ID RID1, host ID h.example)"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
	want := "GetObject part 3: access denied (AccessDenied)\nOperation: GetObject part 3\nCode: AccessDenied\nStatus: 403\n" +
		"Message: denied\nRequest ID: RID1\nHost ID: h.example\nHost: bkt.oss-cn-hangzhou.aliyuncs.com\nWhen: " + when.Format(time.RFC3339)
	if got := info.Detail(); got != want {
		t.Errorf("Detail =\n%s\nwant\n%s", got, want)
	}
	unknown := ErrorInfo{Op: "PutObject", Code: "EntityTooLarge", Message: "too big", Status: 400}
	if got := unknown.Summary(); got != "PutObject: too big (EntityTooLarge)" {
		t.Errorf("Summary of a code with no summary = %q", got)
	}
	long := ErrorInfo{Text: strings.Repeat("é", 400) + "\nsecond line"}
	if s := long.Summary(); strings.Contains(s, "\n") || len(s) > maxSummary+len("…") || !strings.HasSuffix(s, "…") {
		t.Errorf("long Summary: %d bytes, %q…", len(s), s[:20])
	}
}
