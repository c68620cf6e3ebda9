package ossemu

import (
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"strconv"
)

// ossError is an OSS error response. Extra holds op-specific elements
// (Key, OSSAccessKeyId, StringToSign…) in the order they are written.
type ossError struct {
	Status  int
	Code    string
	Message string
	EC      string
	Extra   []xmlField
}

type xmlField struct{ Name, Value string }

func (e *ossError) Error() string { return e.Code + ": " + e.Message }

func (e *ossError) with(name, value string) *ossError {
	c := *e
	c.Extra = append(append([]xmlField(nil), e.Extra...), xmlField{name, value})
	return &c
}

func newError(status int, code, message string) *ossError {
	return &ossError{Status: status, Code: code, Message: message, EC: errorECs[code]}
}

// Error codes documented by OSS (EC values where the docs name one).
var errorECs = map[string]string{
	"NoSuchKey":                "0026-00000001",
	"NoSuchBucket":             "0015-00000101",
	"NoSuchUpload":             "0042-00000002",
	"InvalidRange":             "0003-00000217",
	"InvalidDigest":            "0017-00000502",
	"InvalidPartOrder":         "0042-00000209",
	"EntityTooSmall":           "0042-00000213",
	"SignatureDoesNotMatch":    "0002-00000040",
	"InvalidAccessKeyId":       "0002-00000902",
	"RequestTimeTooSkewed":     "0002-00000504",
	"InvalidObjectState":       "0016-00000502",
	"RestoreAlreadyInProgress": "0016-00000701",
	"FileAlreadyExists":        "0017-00000510",
}

func errNoSuchBucket(bucket string) *ossError {
	return newError(404, "NoSuchBucket", "The specified bucket does not exist.").with("BucketName", bucket)
}

func errNoSuchKey(key string) *ossError {
	return newError(404, "NoSuchKey", "The specified key does not exist.").with("Key", key)
}

func errNoSuchUpload(id string) *ossError {
	return newError(404, "NoSuchUpload", "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.").with("UploadId", id)
}

func errInvalidArgument(name, value, message string) *ossError {
	return newError(400, "InvalidArgument", message).with("ArgumentName", name).with("ArgumentValue", value)
}

func errInternal(err error) *ossError {
	return newError(500, "InternalError", "We encountered an internal error. Please try again. ("+err.Error()+")")
}

func errInvalidDigest() *ossError {
	return newError(400, "InvalidDigest", "The Content-MD5 you specified was invalid.")
}

func errMalformedXML() *ossError {
	return newError(400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema.")
}

// fail answers with err, the one place an error becomes a response: an
// *ossError as itself, anything else as InternalError.
func (q *request) fail(err error) {
	var e *ossError
	if !errors.As(err, &e) {
		e = errInternal(err)
	}
	q.faults.server.countError(e.Code)
	if e == errBodyReset {
		return // the connection is gone: nothing to answer
	}
	q.w.Header().Set("x-oss-request-id", q.id)
	writeError(q.w, q.r, q.id, e)
}

// maxDrainBytes bounds how much of a rejected request body is read before
// answering, so the client sees the XML error instead of a reset; a larger
// remainder closes the connection instead.
const maxDrainBytes = 64 << 20

// writeError answers with e. HEAD responses carry the XML base64-encoded in
// x-oss-err (the SDK's only source for HEAD error details); 304 has no body.
func writeError(w http.ResponseWriter, r *http.Request, requestID string, e *ossError) {
	if r.Method == http.MethodPut || r.Method == http.MethodPost {
		if r.ContentLength > maxDrainBytes {
			w.Header().Set("Connection", "close")
		} else if n, _ := io.CopyN(io.Discard, r.Body, maxDrainBytes); n == maxDrainBytes {
			w.Header().Set("Connection", "close")
		}
	}
	h := w.Header()
	for _, name := range []string{"ETag", "Last-Modified", "Content-Length", "x-oss-hash-crc64ecma", "Content-Range"} {
		h.Del(name)
	}
	if e.Status == http.StatusNotModified {
		w.WriteHeader(e.Status)
		return
	}
	body := e.xmlBody(requestID, hostID(r))
	if e.EC != "" {
		h.Set("x-oss-ec", e.EC)
	}
	if r.Method == http.MethodHead {
		h.Set("x-oss-err", base64.StdEncoding.EncodeToString(body))
		h.Set("Content-Type", "application/xml")
		w.WriteHeader(e.Status)
		return
	}
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(e.Status)
	w.Write(body)
}
