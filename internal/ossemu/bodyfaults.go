package ossemu

import (
	"errors"
	"io"
	"net/http"
)

// Upload-body faults: what a flaky network or a broken proxy does to a
// PutObject or UploadPart body on its way in. A reset aborts the TCP
// connection after part of the body arrived; a truncation delivers only a
// prefix of the body as if it were all of it (a proxy that shortened the
// body and its Content-Length): the server stores the short body and
// answers with its ETag and CRC64, so only a client that checks the CRC64
// of what it sent notices.
const (
	purposeBodyReset = iota + 100
	purposeBodyResetAt
	purposeBodyTruncate
	purposeBodyTruncateAt
)

// errBodyReset marks a request whose connection was reset on purpose; there
// is no one left to send an error response to (request.fail skips it).
var errBodyReset = newError(499, "InjectedReset", "connection reset by fault injection")

// errInjectedReset ends the body reader where the reset happens.
var errInjectedReset = errors.New("injected upload body reset")

// planUpload picks this request's body faults; -1 means none. Bodies of
// unknown length (chunked) are left alone.
func (rf *requestFaults) planUpload(length int64) (resetAt, truncateAt int64) {
	resetAt, truncateAt = -1, -1
	if rf.n == 0 || length <= 0 {
		return
	}
	f := &rf.state.f
	if f.BodyResetRate > 0 && chance(f.Seed, rf.n, purposeBodyReset) < f.BodyResetRate {
		return int64(chance(f.Seed, rf.n, purposeBodyResetAt) * float64(length)), -1
	}
	if f.BodyTruncateRate > 0 && chance(f.Seed, rf.n, purposeBodyTruncate) < f.BodyTruncateRate {
		return -1, int64(chance(f.Seed, rf.n, purposeBodyTruncateAt) * float64(length))
	}
	return
}

// receiveUpload is receiveBody with this request's upload-body faults.
func (s *Server) receiveUpload(q *request, to dataTarget) (*stagedData, *ossError) {
	resetAt, truncateAt := q.faults.planUpload(q.r.ContentLength)
	switch {
	case resetAt >= 0:
		q.r.Body = &cutBody{ReadCloser: q.r.Body, left: resetAt, end: errInjectedReset}
		data, e := s.receiveBody(q.r, to)
		if e == nil { // cannot happen: the body always ends in errInjectedReset
			return data, nil
		}
		s.stats.injectedBodyResets.Add(1)
		abortConnection(q.w)
		return nil, errBodyReset
	case truncateAt >= 0:
		q.r.Body = &cutBody{ReadCloser: q.r.Body, left: truncateAt, end: io.EOF}
		q.r.ContentLength = truncateAt
		// The rest of the body stays unread on the wire: this connection
		// cannot carry another request.
		q.w.Header().Set("Connection", "close")
		s.stats.injectedBodyTruncations.Add(1)
	}
	return s.receiveBody(q.r, to)
}

// cutBody yields the first left bytes of a body, then end.
type cutBody struct {
	io.ReadCloser
	left int64
	end  error
}

func (b *cutBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, b.end
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	if err == nil && b.left <= 0 {
		err = b.end
	}
	return n, err
}

// abortConnection drops the connection with a TCP RST and no response at
// all, so the client cannot mistake it for an answer.
func abortConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // net/http's way to abort a response it will not hijack
	}
	lingerZeroClose(conn)
}
