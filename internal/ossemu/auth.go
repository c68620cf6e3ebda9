package ossemu

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// maxClockSkew is OSS's tolerance between request time and server time.
const maxClockSkew = 15 * time.Minute

// v1SignedParams are the query parameters V1 signatures cover (besides
// x-oss-*), as in the SDK's signer/v1.go.
var v1SignedParams = map[string]bool{
	"acl": true, "bucketInfo": true, "location": true, "stat": true, "delete": true, "append": true,
	"tagging": true, "objectMeta": true, "uploads": true, "uploadId": true, "partNumber": true,
	"security-token": true, "position": true, "response-content-type": true, "response-content-language": true,
	"response-expires": true, "response-cache-control": true, "response-content-disposition": true,
	"response-content-encoding": true, "restore": true, "callback": true, "callback-var": true, "versions": true,
	"versioning": true, "versionId": true, "sequential": true, "continuation-token": true, "regionList": true,
	"cloudboxes": true, "symlink": true,
}

// authenticate verifies the request's V4 or V1 signature (header or query
// form). With no credentials configured (long-term or temporary) every
// request is accepted.
func (s *Server) authenticate(q *request) *ossError {
	if len(s.cfg.Credentials) == 0 && s.sts == nil {
		return nil
	}
	r := q.r
	auth := r.Header.Get("Authorization")
	switch {
	case strings.HasPrefix(auth, "OSS4-HMAC-SHA256 "):
		return s.verifyV4Header(q, strings.TrimPrefix(auth, "OSS4-HMAC-SHA256 "))
	case strings.HasPrefix(auth, "OSS "):
		return s.verifyV1Header(q, strings.TrimPrefix(auth, "OSS "))
	case auth != "":
		return errInvalidArgument("Authorization", auth, "Authorization header is invalid.")
	case q.query.Get("x-oss-signature-version") == "OSS4-HMAC-SHA256":
		return s.verifyV4Query(q)
	case q.query.Has("OSSAccessKeyId"):
		return s.verifyV1Query(q)
	}
	return newError(403, "AccessDenied", "You have no right to access this object because the request carries no signature.")
}

func (s *Server) secretFor(q *request, ak string) (string, *ossError) {
	if sk, temporary, e := s.temporarySecret(q, ak); temporary {
		return sk, e
	}
	sk, ok := s.cfg.Credentials[ak]
	if !ok {
		return "", newError(403, "InvalidAccessKeyId", "The OSS Access Key Id you provided does not exist in our records.").with("OSSAccessKeyId", ak)
	}
	return sk, nil
}

func errSkew(requestTime, now time.Time) *ossError {
	return newError(403, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large.").
		with("RequestTime", requestTime.UTC().Format(time.RFC3339)).with("ServerTime", now.Format(time.RFC3339)).
		with("MaxAllowedSkewMilliseconds", strconv.FormatInt(maxClockSkew.Milliseconds(), 10))
}

// checkSkew compares a request time with the server clock; the error's
// response Date carries the server time so the SDK corrects its offset.
func (s *Server) checkSkew(q *request, t time.Time) *ossError {
	now := s.now()
	if d := now.Sub(t); d > maxClockSkew || d < -maxClockSkew {
		q.w.Header().Set("Date", now.Format(http.TimeFormat))
		return errSkew(t, now)
	}
	return nil
}

func errSignature(ak, stringToSign, canonical, provided string) *ossError {
	e := newError(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.").
		with("OSSAccessKeyId", ak).with("SignatureProvided", provided).with("StringToSign", stringToSign).
		with("StringToSignBytes", hexBytes(stringToSign))
	if canonical != "" {
		e = e.with("CanonicalRequest", canonical)
	}
	return e
}

func hexBytes(s string) string {
	parts := make([]string, len(s))
	for i := 0; i < len(s); i++ {
		parts[i] = fmt.Sprintf("%02x", s[i])
	}
	return strings.Join(parts, " ")
}

// ---- V4 ----

type v4Params struct {
	ak, date, region, product string
	additional                []string
	signature                 string
	datetime                  string
}

func (s *Server) verifyV4Header(q *request, rest string) *ossError {
	var p v4Params
	for _, field := range strings.Split(rest, ",") {
		name, value, _ := strings.Cut(strings.TrimSpace(field), "=")
		switch name {
		case "Credential":
			p.parseCredential(value)
		case "AdditionalHeaders":
			p.additional = splitNonEmpty(strings.ToLower(value), ";")
		case "Signature":
			p.signature = value
		}
	}
	if p.ak == "" || p.signature == "" || p.product == "" {
		return errInvalidArgument("Authorization", q.r.Header.Get("Authorization"), "Authorization header is invalid.")
	}
	p.datetime = q.r.Header.Get("x-oss-date")
	if p.datetime == "" {
		return newError(403, "AccessDenied", "V4 signature requires the x-oss-date header.")
	}
	payload := q.r.Header.Get("x-oss-content-sha256")
	if payload == "" {
		payload = "UNSIGNED-PAYLOAD"
	}
	return s.verifyV4(q, p, q.r.URL.RawQuery, payload)
}

func (p *v4Params) parseCredential(v string) {
	// <AK>/<yyyymmdd>/<region>/<product>/aliyun_v4_request; the region may be empty.
	parts := strings.Split(v, "/")
	if len(parts) != 5 || parts[4] != "aliyun_v4_request" {
		return
	}
	p.ak, p.date, p.region, p.product = parts[0], parts[1], parts[2], parts[3]
}

func splitNonEmpty(s, sep string) []string {
	var out []string
	for _, part := range strings.Split(s, sep) {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

func (s *Server) verifyV4Query(q *request) *ossError {
	var p v4Params
	p.parseCredential(q.query.Get("x-oss-credential"))
	p.signature = q.query.Get("x-oss-signature")
	p.datetime = q.query.Get("x-oss-date")
	p.additional = splitNonEmpty(strings.ToLower(q.query.Get("x-oss-additional-headers")), ";")
	if p.ak == "" || p.signature == "" || p.datetime == "" {
		return newError(403, "AccessDenied", "The presigned URL lacks x-oss-credential, x-oss-date or x-oss-signature.")
	}
	expires, err := strconv.ParseInt(q.query.Get("x-oss-expires"), 10, 64)
	if err != nil || expires <= 0 {
		return errInvalidArgument("x-oss-expires", q.query.Get("x-oss-expires"), "x-oss-expires must be a positive integer.")
	}
	t, err := time.Parse("20060102T150405Z", p.datetime)
	if err != nil {
		return errInvalidArgument("x-oss-date", p.datetime, "x-oss-date is not in ISO8601 basic format.")
	}
	if t.After(s.now().Add(maxClockSkew)) {
		return errSkew(t, s.now())
	}
	if s.now().After(t.Add(time.Duration(expires) * time.Second)) {
		return newError(403, "AccessDenied", "Request has expired.").with("Expires", t.Add(time.Duration(expires)*time.Second).Format(time.RFC3339))
	}
	// The signature parameter itself is not part of the canonical query.
	var kept []string
	for _, item := range strings.Split(q.r.URL.RawQuery, "&") {
		if !strings.HasPrefix(item, "x-oss-signature=") {
			kept = append(kept, item)
		}
	}
	return s.verifyV4(q, p, strings.Join(kept, "&"), "UNSIGNED-PAYLOAD")
}

func (s *Server) verifyV4(q *request, p v4Params, rawQuery, payload string) *ossError {
	sk, e := s.secretFor(q, p.ak)
	if e != nil {
		return e
	}
	t, err := time.Parse("20060102T150405Z", p.datetime)
	if err != nil {
		return errInvalidArgument("x-oss-date", p.datetime, "x-oss-date is not in ISO8601 basic format.")
	}
	if q.r.Header.Get("Authorization") != "" {
		if e := s.checkSkew(q, t); e != nil {
			return e
		}
	}
	canonical := v4CanonicalRequest(q, rawQuery, p.additional, payload)
	scope := p.date + "/" + p.region + "/" + p.product + "/aliyun_v4_request"
	sum := sha256.Sum256([]byte(canonical))
	stringToSign := "OSS4-HMAC-SHA256\n" + p.datetime + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
	want := v4Signature(sk, p.date, p.region, p.product, stringToSign)
	if p.date != t.Format("20060102") || !hmac.Equal([]byte(want), []byte(p.signature)) {
		return errSignature(p.ak, stringToSign, canonical, p.signature)
	}
	return nil
}

func hmacSHA256(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}

func v4Signature(sk, date, region, product, stringToSign string) string {
	k := hmacSHA256([]byte("aliyun_v4"+sk), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, product)
	k = hmacSHA256(k, "aliyun_v4_request")
	return hex.EncodeToString(hmacSHA256(k, stringToSign))
}

// canonicalResourcePath is "/", "/bucket/" or "/bucket/key" with the logical
// (decoded) names, whatever addressing style the request used.
func canonicalResourcePath(q *request) string {
	p := "/"
	if q.bucket != "" {
		p += q.bucket + "/"
	}
	if q.hasKey {
		p += q.key
	}
	return p
}

func v4CanonicalRequest(q *request, rawQuery string, additional []string, payload string) string {
	r := q.r
	// Query: values stay as sent (percent-encoded), sorted by encoded name.
	values := map[string]string{}
	var names []string
	for _, item := range strings.Split(strings.ReplaceAll(rawQuery, "+", "%20"), "&") {
		if item == "" {
			continue
		}
		k, v, _ := strings.Cut(item, "=")
		if _, seen := values[k]; !seen {
			names = append(names, k)
		}
		values[k] = v
	}
	sort.Strings(names)
	var query strings.Builder
	for _, k := range names {
		if query.Len() > 0 {
			query.WriteByte('&')
		}
		query.WriteString(k)
		if values[k] != "" {
			query.WriteString("=" + values[k])
		}
	}
	// Headers: x-oss-*, content-type, content-md5, plus the additional ones.
	extra := map[string]bool{}
	for _, h := range additional {
		extra[h] = true
	}
	headerValues := map[string][]string{}
	for name, vals := range r.Header {
		low := strings.ToLower(name)
		if strings.HasPrefix(low, "x-oss-") || low == "content-type" || low == "content-md5" || extra[low] {
			headerValues[low] = append(headerValues[low], vals...)
		}
	}
	if extra["host"] {
		headerValues["host"] = []string{r.Host}
	}
	headerNames := make([]string, 0, len(headerValues))
	for name := range headerValues {
		headerNames = append(headerNames, name)
	}
	sort.Strings(headerNames)
	var headers strings.Builder
	for _, name := range headerNames {
		vals := headerValues[name]
		trimmed := make([]string, len(vals))
		for i, v := range vals {
			trimmed[i] = strings.TrimSpace(v)
		}
		headers.WriteString(name + ":" + strings.Join(trimmed, ",") + "\n")
	}
	return r.Method + "\n" + escapePath(canonicalResourcePath(q)) + "\n" + query.String() + "\n" +
		headers.String() + "\n" + strings.Join(additional, ";") + "\n" + payload
}

// ---- V1 ----

func (s *Server) verifyV1Header(q *request, rest string) *ossError {
	ak, sig, ok := strings.Cut(strings.TrimSpace(rest), ":")
	if !ok || ak == "" || sig == "" {
		return errInvalidArgument("Authorization", q.r.Header.Get("Authorization"), "Authorization header is invalid.")
	}
	sk, e := s.secretFor(q, ak)
	if e != nil {
		return e
	}
	date := q.r.Header.Get("Date")
	timeSource := date
	if v := q.r.Header.Get("x-oss-date"); v != "" {
		timeSource = v
	}
	t, err := http.ParseTime(timeSource)
	if err != nil {
		return newError(403, "AccessDenied", "V1 signature requires a valid Date header.").with("Date", timeSource)
	}
	if e := s.checkSkew(q, t); e != nil {
		return e
	}
	return verifyV1(q, ak, sk, date, sig)
}

func (s *Server) verifyV1Query(q *request) *ossError {
	ak, sig, expires := q.query.Get("OSSAccessKeyId"), q.query.Get("Signature"), q.query.Get("Expires")
	sk, e := s.secretFor(q, ak)
	if e != nil {
		return e
	}
	exp, err := strconv.ParseInt(expires, 10, 64)
	if err != nil {
		return errInvalidArgument("Expires", expires, "Expires must be a Unix time in seconds.")
	}
	if s.now().Unix() > exp {
		return newError(403, "AccessDenied", "Request has expired.").with("Expires", time.Unix(exp, 0).UTC().Format(time.RFC3339))
	}
	return verifyV1(q, ak, sk, expires, sig)
}

func verifyV1(q *request, ak, sk, date, provided string) *ossError {
	r := q.r
	var ossHeaders []string
	for name := range r.Header {
		if low := strings.ToLower(name); strings.HasPrefix(low, "x-oss-") {
			ossHeaders = append(ossHeaders, low)
		}
	}
	sort.Strings(ossHeaders)
	var canon strings.Builder
	for _, name := range ossHeaders {
		vals := r.Header.Values(name)
		trimmed := make([]string, len(vals))
		for i, v := range vals {
			trimmed[i] = strings.TrimSpace(v)
		}
		canon.WriteString(name + ":" + strings.Join(trimmed, ",") + "\n")
	}
	var params []string
	for k := range q.query {
		if v1SignedParams[k] || strings.HasPrefix(k, "x-oss-") {
			params = append(params, k)
		}
	}
	sort.Strings(params)
	resource := canonicalResourcePath(q)
	for i, k := range params {
		if i == 0 {
			resource += "?"
		} else {
			resource += "&"
		}
		resource += k
		if v := q.query.Get(k); v != "" {
			resource += "=" + v
		}
	}
	stringToSign := r.Method + "\n" + r.Header.Get("Content-MD5") + "\n" + r.Header.Get("Content-Type") + "\n" +
		date + "\n" + canon.String() + resource
	mac := hmac.New(sha1.New, []byte(sk))
	mac.Write([]byte(stringToSign))
	want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(want), []byte(provided)) {
		return errSignature(ak, stringToSign, "", provided)
	}
	return nil
}
