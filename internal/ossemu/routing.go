package ossemu

import (
	"net"
	"net/http"
	"net/url"
	"strings"
)

// Operation names, used for dispatch and in Stats.Requests.
const (
	opListBuckets          = "ListBuckets"
	opPutBucket            = "PutBucket"
	opDeleteBucket         = "DeleteBucket"
	opListObjects          = "ListObjects"
	opListObjectsV2        = "ListObjectsV2"
	opListMultipartUploads = "ListMultipartUploads"
	opGetBucketInfo        = "GetBucketInfo"
	opGetBucketLocation    = "GetBucketLocation"
	opGetBucketAcl         = "GetBucketAcl"
	opDeleteMultiple       = "DeleteMultipleObjects"
	opPutObject            = "PutObject"
	opGetObject            = "GetObject"
	opHeadObject           = "HeadObject"
	opGetObjectMeta        = "GetObjectMeta"
	opDeleteObject         = "DeleteObject"
	opInitiateMultipart    = "InitiateMultipartUpload"
	opUploadPart           = "UploadPart"
	opListParts            = "ListParts"
	opCompleteMultipart    = "CompleteMultipartUpload"
	opAbortMultipart       = "AbortMultipartUpload"
	opRestoreObject        = "RestoreObject"
	opCopyObject           = "CopyObject"
	opUploadPartCopy       = "UploadPartCopy"
	opPutBucketVersioning  = "PutBucketVersioning"
	opGetBucketVersioning  = "GetBucketVersioning"
	opListObjectVersions   = "ListObjectVersions"
	opInvalid              = "Invalid"
	opNotImplemented       = "NotImplemented"
)

// request is one parsed request.
type request struct {
	w       http.ResponseWriter
	r       *http.Request
	id      string // x-oss-request-id
	bucket  string
	key     string // decoded; "" for service and bucket operations
	hasKey  bool
	op      string
	query   url.Values
	virtual bool // bucket came from the Host header
	faults  *requestFaults
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	s.serving.Add(1)
	defer s.serving.Add(-1)
	if s.serveCredentials(w, r) {
		return
	}
	q := &request{w: w, r: r, id: newRequestID(), query: r.URL.Query()}
	h := w.Header()
	h.Set("x-oss-request-id", q.id)
	h.Set("Server", "AliyunOSS")
	if s.cfg.Now != nil {
		// A fake clock must show in Date: the SDK derives its clock offset from it.
		h.Set("Date", s.now().Format(http.TimeFormat))
	}
	if err := s.serveRequest(q); err != nil {
		q.fail(err)
	}
}

// serveRequest routes, counts, applies faults and checks the request, then
// runs its operation's handler.
func (s *Server) serveRequest(q *request) error {
	routeErr := s.route(q)
	s.countRequest(q.op)
	if q.op == opGetObject {
		s.countGet(q.bucket + "/" + q.key)
	}
	q.faults = s.faultsFor(q)
	if e := q.faults.beforeResponse(q.r.Context()); e != nil {
		return e
	}
	if routeErr != nil {
		return routeErr
	}
	if e := s.wrongEndpoint(q); e != nil {
		return e
	}
	if e := s.authenticate(q); e != nil {
		return e
	}
	handle := handlers[q.op]
	if handle == nil {
		return newError(501, "NotImplemented", "The operation is not implemented by ossq's emulator.")
	}
	return handle(s, q)
}

// handlerFunc serves one operation; an error it returns is the response.
type handlerFunc func(s *Server, q *request) error

// handlers maps each operation to its handler.
var handlers = map[string]handlerFunc{
	opListBuckets:          (*Server).handleListBuckets,
	opPutBucket:            (*Server).handlePutBucket,
	opDeleteBucket:         (*Server).handleDeleteBucket,
	opListObjects:          (*Server).handleListObjects,
	opListObjectsV2:        (*Server).handleListObjects,
	opListMultipartUploads: (*Server).handleListMultipartUploads,
	opGetBucketInfo:        (*Server).handleBucketInfo,
	opGetBucketLocation:    (*Server).handleBucketInfo,
	opGetBucketAcl:         (*Server).handleBucketInfo,
	opDeleteMultiple:       (*Server).handleDeleteMultiple,
	opPutObject:            (*Server).handlePutObject,
	opGetObject:            (*Server).handleGetObject,
	opHeadObject:           (*Server).handleGetObject,
	opGetObjectMeta:        (*Server).handleGetObject,
	opDeleteObject:         (*Server).handleDeleteObject,
	opInitiateMultipart:    (*Server).handleInitiateMultipart,
	opUploadPart:           (*Server).handleUploadPart,
	opListParts:            (*Server).handleListParts,
	opCompleteMultipart:    (*Server).handleCompleteMultipart,
	opAbortMultipart:       (*Server).handleAbortMultipart,
	opRestoreObject:        (*Server).handleRestoreObject,
	opCopyObject:           (*Server).handleCopyObject,
	opUploadPartCopy:       (*Server).handleUploadPartCopy,
	opPutBucketVersioning:  (*Server).handlePutBucketVersioning,
	opGetBucketVersioning:  (*Server).handleGetBucketVersioning,
	opListObjectVersions:   (*Server).handleListObjectVersions,
}

// route extracts bucket and key (virtual-hosted or path style) and picks the
// operation from method, key presence and sub-resource.
func (s *Server) route(q *request) *ossError {
	q.op = opInvalid
	r := q.r
	host := hostID(r)
	path := r.URL.EscapedPath()
	if !strings.HasPrefix(path, "/") {
		return newError(400, "InvalidURI", "The request URI is not valid.")
	}
	rest := path[1:]
	if bucket, ok := s.virtualHostBucket(host); ok {
		q.bucket, q.virtual = bucket, true
	} else if rest != "" {
		bucket, after, hasSlash := strings.Cut(rest, "/")
		q.bucket = bucket
		if hasSlash {
			rest = after
		} else {
			rest = ""
		}
	}
	if q.bucket != "" {
		if !validBucketName(q.bucket) {
			return newError(400, "InvalidBucketName", "The specified bucket is not valid.").with("BucketName", q.bucket)
		}
		if rest != "" {
			key, err := url.PathUnescape(rest)
			if err != nil {
				return newError(400, "InvalidObjectName", "The specified object is not valid.")
			}
			q.key, q.hasKey = key, true
		}
	}
	if name := unsupportedSubresource(q); name != "" {
		q.op = opNotImplemented
		return newError(501, "NotImplemented", "The sub-resource ?"+name+" is not implemented by ossq's emulator.")
	}
	q.op = pickOperation(r.Method, q)
	if q.op == opInvalid {
		return newError(405, "MethodNotAllowed", "The specified method is not allowed against this resource.").with("Method", r.Method)
	}
	if q.hasKey {
		if e := validateKey(q.key); e != nil {
			return e
		}
	}
	return nil
}

// otherSubresources are OSS sub-resources outside the emulator's scope;
// requests naming them get 501 instead of being mistaken for plain
// object or bucket operations (PUT ?acl must not create a bucket).
var otherSubresources = []string{
	"append", "cors", "encryption", "inventory", "lifecycle", "logging", "policy", "qos", "referer",
	"replication", "select", "stat", "symlink", "tagging", "torrent", "website",
	"worm", "x-oss-process",
}

func unsupportedSubresource(q *request) string {
	for _, name := range otherSubresources {
		if q.query.Has(name) {
			return name
		}
	}
	// ?acl is supported only as GetBucketAcl.
	if q.query.Has("acl") && (q.hasKey || q.r.Method != http.MethodGet) {
		return "acl"
	}
	return ""
}

func pickOperation(method string, q *request) string {
	has := func(name string) bool { _, ok := q.query[name]; return ok }
	if q.bucket == "" {
		if method == http.MethodGet {
			return opListBuckets
		}
		return opInvalid
	}
	if !q.hasKey {
		switch method {
		case http.MethodPut:
			if has("versioning") {
				return opPutBucketVersioning
			}
			return opPutBucket
		case http.MethodDelete:
			return opDeleteBucket
		case http.MethodPost:
			if has("delete") {
				return opDeleteMultiple
			}
		case http.MethodGet, http.MethodHead:
			switch {
			case q.query.Get("list-type") == "2":
				return opListObjectsV2
			case has("uploads"):
				return opListMultipartUploads
			case has("versioning"):
				return opGetBucketVersioning
			case has("versions"):
				return opListObjectVersions
			case has("bucketInfo"):
				return opGetBucketInfo
			case has("location"):
				return opGetBucketLocation
			case has("acl"):
				return opGetBucketAcl
			default:
				return opListObjects
			}
		}
		return opInvalid
	}
	switch method {
	case http.MethodPut:
		copying := q.r.Header.Get("x-oss-copy-source") != ""
		switch {
		case (has("partNumber") || has("uploadId")) && copying:
			return opUploadPartCopy
		case has("partNumber") || has("uploadId"):
			return opUploadPart
		case copying:
			return opCopyObject
		}
		return opPutObject
	case http.MethodGet:
		if has("uploadId") {
			return opListParts
		}
		return opGetObject
	case http.MethodHead:
		if has("objectMeta") {
			return opGetObjectMeta
		}
		return opHeadObject
	case http.MethodPost:
		switch {
		case has("uploads"):
			return opInitiateMultipart
		case has("uploadId"):
			return opCompleteMultipart
		case has("restore"):
			return opRestoreObject
		}
	case http.MethodDelete:
		if has("uploadId") {
			return opAbortMultipart
		}
		return opDeleteObject
	}
	return opInvalid
}

// virtualHostBucket reports the bucket named by a "<bucket>.<base>" Host.
// IP literals are always path style, as with the SDK.
func (s *Server) virtualHostBucket(host string) (string, bool) {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "" || net.ParseIP(strings.Trim(host, "[]")) != nil {
		return "", false
	}
	bases := append([]string{"localhost", "oss-" + s.region + ".aliyuncs.com"}, s.cfg.VirtualHostBases...)
	for _, base := range bases {
		base = strings.ToLower(base)
		if bucket, ok := strings.CutSuffix(host, "."+base); ok && bucket != "" && !strings.Contains(bucket, ".") {
			return bucket, true
		}
	}
	return "", false
}

func newRequestID() string { return randomHex(12) }
