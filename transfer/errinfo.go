package transfer

import (
	"errors"
	"fmt"
	"strings"
	"syscall"
	"time"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
)

// ErrorInfo keeps what OSS said when a transfer failed. Its three
// renderings — Summary (a row or a notice), String (one full line: the CLI,
// the log) and Fields/Detail (the details view, the copied error) — are the
// only ones: front ends never spell a cause themselves.
type ErrorInfo struct {
	Op        string // e.g. "GetObject part 7", "CompleteMultipartUpload"
	Code      string // OSS error code, e.g. "NoSuchKey", or one of the engine's Code* for what it found itself
	Message   string
	RequestID string
	HostID    string
	Status    int
	Text      string    // the whole error as text
	Host      string    `json:",omitempty"` // the host the request went to
	When      time.Time `json:",omitzero"`  // when the server (or, failing that, the engine) saw it
}

// The OSS codes front ends act on, and the codes the engine gives its own
// failures, in one namespace so one switch reads both.
const (
	CodeAccessDenied             = "AccessDenied"
	CodeNoSuchBucket             = "NoSuchBucket"
	CodeNoSuchKey                = "NoSuchKey"
	CodeNoSuchUpload             = "NoSuchUpload"
	CodeInvalidObjectState       = "InvalidObjectState"
	CodeRestoreAlreadyInProgress = "RestoreAlreadyInProgress"

	CodeCredentials       = "CredentialsRefused" // ErrCredentials with no server answer inside
	CodeDiskFull          = "DiskFull"
	CodeCRC64Mismatch     = "CRC64Mismatch"
	CodeSourceChanged     = "SourceChanged"
	CodeDestinationExists = "DestinationExists"
	CodeDestinationBusy   = "DestinationBusy"
	CodeStateLocked       = "StateDirLocked"
	CodeNoSuchTransfer    = "NoSuchTransfer"
	CodeEngineClosed      = "EngineClosed"
	CodeInvalidState      = "InvalidTransferState"
)

// sentinelCodes name the engine's own errors; their summary is their text.
var sentinelCodes = []struct {
	err  error
	code string
}{
	{ErrCredentials, CodeCredentials},
	{ErrArchived, CodeInvalidObjectState},
	{syscall.ENOSPC, CodeDiskFull},
	{syscall.EDQUOT, CodeDiskFull},
	{errCRCMismatch, CodeCRC64Mismatch},
	{errObjectChanged, CodeSourceChanged},
	{ErrDestinationExists, CodeDestinationExists},
	{ErrBusy, CodeDestinationBusy},
	{ErrStateLocked, CodeStateLocked},
	{ErrNotFound, CodeNoSuchTransfer},
	{ErrClosed, CodeEngineClosed},
	{ErrInvalidState, CodeInvalidState},
}

// summaries are the few words per kind of failure that rows, notices and
// the CLI show. An OSS code not listed shows the server's message instead.
var summaries = map[string]string{
	CodeAccessDenied:             "access denied",
	CodeNoSuchBucket:             "no such bucket",
	CodeNoSuchKey:                "no such object",
	CodeNoSuchUpload:             "the multipart upload is gone",
	"NoSuchVersion":              "no such version",
	"SignatureDoesNotMatch":      "the access key secret is wrong (signature does not match)",
	"InvalidAccessKeyId":         "the access key ID is unknown or disabled",
	"SecurityTokenExpired":       "credentials expired",
	"InvalidSecurityToken":       "the security token is invalid",
	"RequestTimeTooSkewed":       "this machine's clock is off",
	CodeInvalidObjectState:       "the object is archived; restore it first",
	CodeRestoreAlreadyInProgress: "restore already in progress",
	"PreconditionFailed":         "the object changed",
	"InvalidBucketName":          "invalid bucket name",
	"InternalError":              "server error",
	"ServiceUnavailable":         "server unavailable",
	CodeCredentials:              "credentials expired",
	CodeDiskFull:                 "disk full",
	CodeCRC64Mismatch:            "data corrupted in transit (CRC64 mismatch)",
	CodeSourceChanged:            errObjectChanged.Error(),
	CodeDestinationExists:        ErrDestinationExists.Error(),
	CodeDestinationBusy:          ErrBusy.Error(),
	CodeStateLocked:              ErrStateLocked.Error(),
	CodeNoSuchTransfer:           ErrNotFound.Error(),
	CodeEngineClosed:             ErrClosed.Error(),
	CodeInvalidState:             ErrInvalidState.Error(),
}

// Code is the OSS error code of any error the engine or its store returns —
// what the server said, else the code of the engine's own sentinel — or ""
// when there is none (a network failure, a local file error).
func Code(err error) string {
	if err == nil {
		return ""
	}
	var oe *OSSError
	if errors.As(err, &oe) && oe.Info.Code != "" {
		return oe.Info.Code
	}
	var se *oss.ServiceError
	if errors.As(err, &se) && se.Code != "" {
		return se.Code
	}
	for _, s := range sentinelCodes {
		if errors.Is(err, s.err) {
			return s.code
		}
	}
	return ""
}

// IsNotFound reports an answer that the object is not there: NoSuchKey, or
// a 404 whose body (a HEAD has none) named no code.
func IsNotFound(err error) bool {
	code := Code(err)
	return code == CodeNoSuchKey || httpStatus(err) == 404 && (code == "" || code == "BadErrorResponse")
}

// httpStatus is the HTTP status of the server's answer in err, 0 if none.
func httpStatus(err error) int {
	if status, _ := statusOf(err); status != 0 {
		return status
	}
	var oe *OSSError
	if errors.As(err, &oe) {
		return oe.Info.Status
	}
	return 0
}

// ErrorInfoOf is the ErrorInfo of any error: what OSS said when the error
// wraps an *OSSError, else one built from its text; nil for nil.
func ErrorInfoOf(err error) *ErrorInfo {
	if err == nil {
		return nil
	}
	var info ErrorInfo
	var oe *OSSError
	if errors.As(err, &oe) {
		info = oe.Info
	} else {
		info.Message = err.Error()
	}
	info.Text = err.Error()
	if info.Code == "" {
		info.Code = Code(err)
	}
	if info.When.IsZero() {
		info.When = time.Now()
	}
	return &info
}

// KindSummary is the few words for a code ("access denied"), "" for a
// code with none: for a front end that words a notice around the kind.
func KindSummary(code string) string { return summaries[code] }

// Summary is ErrorInfoOf(err).Summary(): the one-line cause of an error.
func Summary(err error) string {
	if err == nil {
		return ""
	}
	return ErrorInfoOf(err).Summary()
}

// maxSummary bounds a summary: a row or notice has one line.
const maxSummary = 300

// Summary is the short cause for a row or a notice, e.g.
// "GetObject: access denied (AccessDenied)".
func (i ErrorInfo) Summary() string { return clipLine(i.cause(), maxSummary) }

// cause is the summary before it is cut to one line.
func (i ErrorInfo) cause() string {
	kind := summaries[i.Code]
	switch {
	case i.Status != 0 && kind != "":
		return joinOp(i.Op, kind) + " (" + i.Code + ")"
	case i.Code != "" && i.Op != "" && i.Message != "": // a code with no summary, or an OSSError the engine built
		return joinOp(i.Op, i.Message) + " (" + i.Code + ")"
	}
	// The engine's own or the network's: the text says it, the kind leads.
	s := i.Text
	if s == "" {
		s = joinOp(i.Op, i.Message)
	}
	if kind != "" && !strings.Contains(s, kind) {
		s = kind + ": " + s
	}
	return s
}

// String is the whole cause on one line: the summary, what the server said
// and the IDs a support ticket needs. Unlike Summary it is not shortened.
func (i ErrorInfo) String() string {
	s := i.cause()
	if i.Status == 0 {
		return s
	}
	if kind := summaries[i.Code]; kind != "" && i.Message != "" && i.Message != kind {
		s += ": " + i.Message
	}
	ids := []string{fmt.Sprintf("HTTP %d", i.Status)}
	if i.RequestID != "" {
		ids = append(ids, "request ID "+i.RequestID)
	}
	if i.HostID != "" {
		ids = append(ids, "host ID "+i.HostID)
	}
	return s + " (" + strings.Join(ids, ", ") + ")"
}

// ErrorField is one labelled line of the detail form.
type ErrorField struct{ Label, Value string }

// Fields is the detail form, field by field with empty ones left out, for
// a front end that lays them out itself.
func (i ErrorInfo) Fields() []ErrorField {
	var out []ErrorField
	add := func(label, value string) {
		if value != "" {
			out = append(out, ErrorField{label, value})
		}
	}
	add("Operation", i.Op)
	add("Code", i.Code)
	if i.Status != 0 {
		add("Status", fmt.Sprint(i.Status))
	}
	add("Message", i.Message)
	add("Request ID", i.RequestID)
	add("Host ID", i.HostID)
	add("Host", i.Host)
	if !i.When.IsZero() {
		add("When", i.When.Format(time.RFC3339))
	}
	if i.Status == 0 && i.Text != i.Message {
		add("Detail", i.Text)
	}
	return out
}

// Detail is the detail form as text: the summary, then "Label: value" lines.
func (i ErrorInfo) Detail() string {
	lines := []string{i.Summary()}
	for _, f := range i.Fields() {
		lines = append(lines, f.Label+": "+f.Value)
	}
	return strings.Join(lines, "\n")
}

func joinOp(op, what string) string {
	if op == "" {
		return what
	}
	return op + ": " + what
}

// clipLine keeps the first line of s, cut to n bytes (clipText).
func clipLine(s string, n int) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return clipText(strings.TrimSpace(s), n)
}
