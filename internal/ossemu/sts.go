package ossemu

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Temporary credentials, as Alibaba Cloud hands them out: with Config.STSTTL
// set, the server issues STS-style keys (an "STS." AccessKeyId, a secret and
// a SecurityToken) that expire after the TTL, and refuses them afterwards with
// 403 SecurityTokenExpired, as OSS does. They are handed out on the paths of
// the ECS metadata service, on a credentials URI, and by the STS actions
// AssumeRole (signed with a long-term key of Config.Credentials) and
// AssumeRoleWithOIDC (the emulator does not check the OIDC token's
// signature, only that there is one).
const (
	metadataTokenPath = "/latest/api/token"
	metadataRolesPath = "/latest/meta-data/ram/security-credentials/"
	// CredentialsURIPath serves one fresh set of temporary keys per GET, in
	// the format of ALIBABA_CLOUD_CREDENTIALS_URI.
	CredentialsURIPath = "/latest/credentials"
	// DefaultSTSRole is the RAM role name the metadata paths report.
	DefaultSTSRole = "ossq-emulator-role"
)

type temporaryKey struct {
	secret, token string
	expires       time.Time
}

type stsState struct {
	ttl  time.Duration
	role string

	mu     sync.Mutex
	issued map[string]temporaryKey // by AccessKeyId
}

func newSTS(ttl time.Duration, role string) *stsState {
	if ttl <= 0 {
		return nil
	}
	if role == "" {
		role = DefaultSTSRole
	}
	return &stsState{ttl: ttl, role: role, issued: map[string]temporaryKey{}}
}

func randomText(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// issue mints keys valid for ttl (at most the server's TTL) from now.
func (st *stsState) issue(now time.Time, ttl time.Duration) (string, temporaryKey) {
	if ttl <= 0 || ttl > st.ttl {
		ttl = st.ttl
	}
	id := "STS." + randomText(10)
	key := temporaryKey{secret: randomText(16), token: "CAIS" + randomText(24), expires: now.Add(ttl)}
	st.mu.Lock()
	defer st.mu.Unlock()
	for old, k := range st.issued {
		if now.Sub(k.expires) > time.Hour { // long gone: forget, so the map stays small
			delete(st.issued, old)
		}
	}
	st.issued[id] = key
	return id, key
}

// ExpireTemporaryCredentials makes every temporary key issued so far expire
// now, as if their TTL had passed (a revoked or lapsed session).
func (s *Server) ExpireTemporaryCredentials() {
	if s.sts == nil {
		return
	}
	now := s.now()
	s.sts.mu.Lock()
	defer s.sts.mu.Unlock()
	for id, k := range s.sts.issued {
		if k.expires.After(now) {
			k.expires = now
			s.sts.issued[id] = k
		}
	}
}

// temporarySecret checks a temporary key and the token sent with it.
func (s *Server) temporarySecret(q *request, ak string) (string, bool, *ossError) {
	if s.sts == nil {
		return "", false, nil
	}
	s.sts.mu.Lock()
	key, ok := s.sts.issued[ak]
	s.sts.mu.Unlock()
	if !ok {
		return "", false, nil
	}
	token := q.r.Header.Get("x-oss-security-token")
	if token == "" {
		token = q.query.Get("x-oss-security-token")
	}
	if token == "" {
		token = q.query.Get("security-token")
	}
	if !hmac.Equal([]byte(token), []byte(key.token)) {
		return "", true, newError(403, "InvalidAccessKeyId", "The security token you provided is invalid.").with("OSSAccessKeyId", ak)
	}
	if !s.now().Before(key.expires) {
		return "", true, newError(403, "SecurityTokenExpired", "The security token you provided has expired.").
			with("OSSAccessKeyId", ak).with("ExpiredTime", key.expires.UTC().Format(time.RFC3339))
	}
	return key.secret, true, nil
}

type credentialsJSON struct {
	Code            string `json:"Code"`
	AccessKeyID     string `json:"AccessKeyId"`
	AccessKeySecret string `json:"AccessKeySecret"`
	SecurityToken   string `json:"SecurityToken"`
	Expiration      string `json:"Expiration"`
	LastUpdated     string `json:"LastUpdated"`
}

func (s *Server) credentialsDocument(ttl time.Duration) credentialsJSON {
	now := s.now()
	id, key := s.sts.issue(now, ttl)
	return credentialsJSON{Code: "Success", AccessKeyID: id, AccessKeySecret: key.secret, SecurityToken: key.token,
		Expiration: key.expires.UTC().Format(time.RFC3339Nano), LastUpdated: now.Format(time.RFC3339)}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// serveCredentials answers the metadata, credentials URI and STS requests;
// false when r is an OSS request.
func (s *Server) serveCredentials(w http.ResponseWriter, r *http.Request) bool {
	if s.sts == nil {
		return false
	}
	path := r.URL.Path
	switch {
	case path == metadataTokenPath && r.Method == http.MethodPut:
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte(randomText(16)))
	case path == metadataRolesPath && r.Method == http.MethodGet:
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte(s.sts.role))
	case strings.HasPrefix(path, metadataRolesPath) && r.Method == http.MethodGet:
		if strings.TrimPrefix(path, metadataRolesPath) != s.sts.role {
			http.Error(w, "no such RAM role on this instance", http.StatusNotFound)
			return true
		}
		writeJSON(w, http.StatusOK, s.credentialsDocument(0))
	case path == CredentialsURIPath && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, s.credentialsDocument(0))
	case path == "/" && r.URL.Query().Has("Action") || path == "/" && r.Method == http.MethodPost:
		s.serveSTS(w, r)
	default:
		return false
	}
	return true
}

type stsError struct {
	RequestID string `json:"RequestId"`
	HostID    string `json:"HostId"`
	Code      string `json:"Code"`
	Message   string `json:"Message"`
}

func (s *Server) serveSTS(w http.ResponseWriter, r *http.Request) {
	fail := func(status int, code, msg string) {
		writeJSON(w, status, stsError{RequestID: newRequestID(), HostID: "sts.aliyuncs.com", Code: code, Message: msg})
	}
	if err := r.ParseForm(); err != nil {
		fail(400, "InvalidParameter", "The request parameters could not be read.")
		return
	}
	params := r.Form
	for _, name := range []string{"RoleArn", "RoleSessionName"} {
		if params.Get(name) == "" {
			fail(400, "MissingParameter", "The input parameter "+name+" that is mandatory for processing this request is not supplied.")
			return
		}
	}
	ttl := time.Duration(0)
	if v := params.Get("DurationSeconds"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			fail(400, "InvalidParameter.DurationSeconds", "DurationSeconds must be a positive number of seconds.")
			return
		}
		ttl = time.Duration(n) * time.Second
	}
	switch params.Get("Action") {
	case "AssumeRole":
		if code, msg := s.verifyRPC(r.Method, params); code != "" {
			fail(http.StatusForbidden, code, msg)
			return
		}
	case "AssumeRoleWithOIDC":
		if params.Get("OIDCProviderArn") == "" || params.Get("OIDCToken") == "" {
			fail(400, "MissingParameter", "AssumeRoleWithOIDC needs OIDCProviderArn and OIDCToken.")
			return
		}
	default:
		fail(400, "InvalidAction.NotFound", "The specified action is not valid: "+params.Get("Action"))
		return
	}
	doc := s.credentialsDocument(ttl)
	type assumed struct {
		Arn           string `json:"Arn"`
		AssumedRoleID string `json:"AssumedRoleId"`
	}
	writeJSON(w, http.StatusOK, struct {
		RequestID       string          `json:"RequestId"`
		AssumedRoleUser assumed         `json:"AssumedRoleUser"`
		Credentials     credentialsJSON `json:"Credentials"`
	}{newRequestID(), assumed{params.Get("RoleArn") + "/" + params.Get("RoleSessionName"), randomText(8)}, doc})
}

// verifyRPC checks an RPC-style (STS) signature made with a long-term key or
// a still valid temporary one; it returns the STS error code on failure.
func (s *Server) verifyRPC(method string, params url.Values) (code, msg string) {
	ak := params.Get("AccessKeyId")
	secret, ok := s.cfg.Credentials[ak]
	if !ok && s.sts != nil {
		s.sts.mu.Lock()
		key, temporary := s.sts.issued[ak]
		s.sts.mu.Unlock()
		if temporary && key.token == params.Get("SecurityToken") && s.now().Before(key.expires) {
			secret, ok = key.secret, true
		}
	}
	if !ok {
		return "InvalidAccessKeyId.NotFound", "Specified access key is not found."
	}
	if params.Get("SignatureMethod") != "HMAC-SHA1" || params.Get("SignatureVersion") != "1.0" {
		return "IncompleteSignature", "The request signature does not conform to Aliyun standards (HMAC-SHA1, version 1.0)."
	}
	if !hmac.Equal([]byte(rpcSignature(method, params, secret)), []byte(params.Get("Signature"))) {
		return "SignatureDoesNotMatch", "Specified signature is not matched with our calculation."
	}
	return "", ""
}

func rpcEncode(s string) string {
	return strings.NewReplacer("+", "%20", "*", "%2A", "%7E", "~").Replace(url.QueryEscape(s))
}

func rpcSignature(method string, params url.Values, secret string) string {
	names := make([]string, 0, len(params))
	for name := range params {
		if name != "Signature" {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	pairs := make([]string, len(names))
	for i, name := range names {
		pairs[i] = rpcEncode(name) + "=" + rpcEncode(params.Get(name))
	}
	mac := hmac.New(sha1.New, []byte(secret+"&"))
	mac.Write([]byte(method + "&" + rpcEncode("/") + "&" + rpcEncode(strings.Join(pairs, "&"))))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}
