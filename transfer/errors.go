package transfer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
)

var (
	// ErrDestinationExists: the destination exists and the policy is ask.
	ErrDestinationExists = errors.New("destination exists")
	// ErrBusy: another transfer (in this or another process) holds the destination.
	ErrBusy = errors.New("another transfer is using this destination")
	// ErrStateLocked: another ossq process owns the state dir's queue.
	ErrStateLocked = errors.New("another ossq owns this state directory")
	// ErrNotFound: no transfer with that ID in the queue.
	ErrNotFound = errors.New("no such transfer")
	// ErrClosed: the engine was closed.
	ErrClosed = errors.New("engine is closed")
	// ErrArchived: the object is in an archive storage class and not restored.
	ErrArchived = errors.New("object is in Archive storage; restore it first")
	// ErrInvalidState: the operation does not apply to the transfer's current state.
	ErrInvalidState = errors.New("not possible in the transfer's current state")
	// ErrCredentials: the server refused the credentials (expired or revoked)
	// and the store could not get better ones from their source; the store
	// error wraps it. A job that meets it should wait, not fail: see
	// CredentialsRefresher.
	ErrCredentials = errors.New("credentials expired — waiting for new credentials")

	// errObjectChanged: the object (download) or the local file (upload)
	// changed under a running transfer; the transfer restarts from scratch.
	errObjectChanged = errors.New("source changed during transfer")
	// errCRCMismatch is a transient integrity failure (a part or whole CRC64
	// disagreeing with what the server said).
	errCRCMismatch = errors.New("crc64 mismatch")
	// errShortBody: a GET body ended before the requested range did.
	errShortBody = fmt.Errorf("response body shorter than the requested range: %w", io.ErrUnexpectedEOF)
)

// OSSError is an error from an OSS request with what the server said.
// errors.As(err, &*OSSError) gives ErrorInfo for the details view.
type OSSError struct {
	Info ErrorInfo
	Err  error
}

func (e *OSSError) Error() string { return e.Info.String() }

func (e *OSSError) Unwrap() error { return e.Err }

// wrapOSS attaches the operation name and, for service errors, the OSS code,
// message and request ID. Context cancellation passes through unchanged so
// callers can tell a pause from a failure.
func wrapOSS(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	info := ErrorInfo{Op: op, Message: err.Error(), When: time.Now()}
	var se *oss.ServiceError
	if errors.As(err, &se) {
		info.Code = se.Code
		info.Message = se.Message
		info.RequestID = se.RequestID
		info.Status = se.StatusCode
		if se.Headers != nil {
			info.HostID = se.Headers.Get("x-oss-host-id")
		}
		if info.Message == "" {
			info.Message = se.Code
		}
		if !se.Timestamp.IsZero() {
			info.When = se.Timestamp
		}
		_, target, _ := strings.Cut(se.RequestTarget, " ")
		info.Host = hostOf(target)
	}
	var ue *url.Error
	if info.Host == "" && errors.As(err, &ue) {
		info.Host = hostOf(ue.URL)
	}
	return &OSSError{Info: info, Err: err}
}

// crcMismatch is the error of a CRC64 the server's answer and the data
// disagree on: the details view shows the operation and both sums.
func crcMismatch(op, format string, args ...any) error {
	return &OSSError{Info: ErrorInfo{Op: op, Code: CodeCRC64Mismatch, Message: fmt.Sprintf(format, args...)}, Err: errCRCMismatch}
}

// hostOf is the host of a request URL, "" when it does not parse; only the
// host, since a presigned query would carry a signature.
func hostOf(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return ""
	}
	return u.Host
}

// errClass tells the engine what to do with an error.
type errClass int

const (
	classPermanent   errClass = iota // fail the transfer
	classTransient                   // retry with backoff
	classChanged                     // source changed: restart from scratch (once)
	classDiskFull                    // pause with "disk full"
	classCanceled                    // pause/cancel/close: not an error
	classNoUpload                    // multipart upload is gone: start a new one
	classCredentials                 // refused keys and none better to be had: pause until there are
)

func statusOf(err error) (int, string) {
	var se *oss.ServiceError
	if errors.As(err, &se) {
		return se.StatusCode, se.Code
	}
	return 0, ""
}

// transientTexts are the network failures the SDK itself treats as retryable.
var transientTexts = []string{
	"connection reset", "connection refused", "use of closed network connection",
	"unexpected eof", "transport connection broken", "server closed idle connection",
	"broken pipe", "crc is inconsistent", "i/o timeout", "timeout awaiting",
	"stream error:", "http2:", "eof",
}

// errNoContentLength: a whole-object GET came back without a length (OSS
// compressed it), so its body cannot be checked for completeness.
var errNoContentLength = errors.New("response has no Content-Length")

func classify(err error) errClass {
	switch {
	case err == nil:
		return classPermanent
	case errors.Is(err, ErrCredentials):
		return classCredentials
	case errors.Is(err, context.Canceled):
		return classCanceled
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return classDiskFull
	case errors.Is(err, errObjectChanged), errors.Is(err, errTempReplaced):
		return classChanged
	case errors.Is(err, errCRCMismatch), errors.Is(err, errShortBody),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF),
		errors.Is(err, context.DeadlineExceeded):
		return classTransient
	}
	if status, code := statusOf(err); status != 0 {
		switch {
		case status == 412 || code == "PreconditionFailed":
			return classChanged
		case code == "NoSuchUpload":
			return classNoUpload
		case status >= 500, status == 429, status == 408,
			code == "RequestTimeTooSkewed", code == "BadRequest":
			return classTransient
		}
		return classPermanent
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return classTransient
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return classTransient
	}
	if errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EPIPE) {
		return classTransient
	}
	var ce *oss.ClientError
	if errors.As(err, &ce) {
		text := strings.ToLower(err.Error())
		for _, t := range transientTexts {
			if strings.Contains(text, t) {
				return classTransient
			}
		}
	}
	return classPermanent
}

// shortError is the one-line cause for a queue row.
func shortError(err error) string { return Summary(err) }
