package transfer

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
)

// DefaultSTSEndpoint is Alibaba Cloud's Security Token Service.
const DefaultSTSEndpoint = "sts.aliyuncs.com"

// RoleOptions describe a RAM role to assume through STS.
type RoleOptions struct {
	// STSEndpoint is a host ("sts.cn-hangzhou.aliyuncs.com") or a URL;
	// "" means DefaultSTSEndpoint.
	STSEndpoint string
	RoleARN     string
	SessionName string        // "" means "ossq-<unix time>"
	Duration    time.Duration // 0 means one hour
	ExternalID  string
}

func (o RoleOptions) endpointURL() string {
	ep := o.STSEndpoint
	if ep == "" {
		ep = DefaultSTSEndpoint
	}
	if !strings.Contains(ep, "://") {
		ep = "https://" + ep
	}
	return strings.TrimSuffix(ep, "/") + "/"
}

func (o RoleOptions) common(action string) url.Values {
	session := o.SessionName
	if session == "" {
		session = "ossq-" + strconv.FormatInt(time.Now().Unix(), 10)
	}
	duration := o.Duration
	if duration <= 0 {
		duration = time.Hour
	}
	v := url.Values{}
	v.Set("Action", action)
	v.Set("Format", "JSON")
	v.Set("Version", "2015-04-01")
	v.Set("Timestamp", time.Now().UTC().Format("2006-01-02T15:04:05Z"))
	v.Set("RoleArn", o.RoleARN)
	v.Set("RoleSessionName", session)
	v.Set("DurationSeconds", strconv.Itoa(int(duration/time.Second)))
	if o.ExternalID != "" {
		v.Set("ExternalId", o.ExternalID)
	}
	return v
}

// AssumeRole is a source that signs an STS AssumeRole call with the keys of
// source and yields the role's temporary keys.
func AssumeRole(client *http.Client, source CredentialsFunc, o RoleOptions) CredentialsFunc {
	return func(ctx context.Context) (Credentials, error) {
		keys, err := source(ctx)
		if err != nil {
			return Credentials{}, fmt.Errorf("AssumeRole %s: the source profile's credentials: %w", o.RoleARN, err)
		}
		v := o.common("AssumeRole")
		v.Set("AccessKeyId", keys.AccessKeyID)
		v.Set("SignatureMethod", "HMAC-SHA1")
		v.Set("SignatureVersion", "1.0")
		v.Set("SignatureNonce", randomNonce())
		if keys.SecurityToken != "" {
			v.Set("SecurityToken", keys.SecurityToken)
		}
		// POST, so the signature and any token stay out of the URL (and so
		// out of every error message that quotes it).
		v.Set("Signature", signRPC(http.MethodPost, v, keys.AccessKeySecret))
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.endpointURL(), strings.NewReader(rpcQuery(v)))
		if err != nil {
			return Credentials{}, fmt.Errorf("AssumeRole: %w", err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		got, err := doSTS(client, req)
		if err != nil {
			return Credentials{}, fmt.Errorf("AssumeRole %s at %s: %w", o.RoleARN, o.endpointURL(), err)
		}
		return got, nil
	}
}

// AssumeRoleWithOIDC is the RRSA source: it trades the OIDC token in
// tokenFile (read on every call, since the platform rotates it) for the
// role's temporary keys. The call is not signed; the token is the proof.
func AssumeRoleWithOIDC(client *http.Client, providerARN, tokenFile string, o RoleOptions) CredentialsFunc {
	return func(ctx context.Context) (Credentials, error) {
		token, err := os.ReadFile(tokenFile)
		if err != nil {
			return Credentials{}, fmt.Errorf("AssumeRoleWithOIDC: OIDC token file: %w", err)
		}
		v := o.common("AssumeRoleWithOIDC")
		v.Set("OIDCProviderArn", providerARN)
		v.Set("OIDCToken", strings.TrimSpace(string(token)))
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.endpointURL(), strings.NewReader(v.Encode()))
		if err != nil {
			return Credentials{}, fmt.Errorf("AssumeRoleWithOIDC: %w", err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		got, err := doSTS(client, req)
		if err != nil {
			return Credentials{}, fmt.Errorf("AssumeRoleWithOIDC %s at %s: %w", o.RoleARN, o.endpointURL(), err)
		}
		return got, nil
	}
}

type stsAnswer struct {
	Code        string `json:"Code"`
	Message     string `json:"Message"`
	RequestID   string `json:"RequestId"`
	Credentials *struct {
		AccessKeyID     string `json:"AccessKeyId"`
		AccessKeySecret string `json:"AccessKeySecret"`
		SecurityToken   string `json:"SecurityToken"`
		Expiration      string `json:"Expiration"`
	} `json:"Credentials"`
}

func doSTS(client *http.Client, req *http.Request) (Credentials, error) {
	res, err := client.Do(req)
	if err != nil {
		return Credentials{}, withoutURL(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, maxCredentialsBody))
	if err != nil {
		return Credentials{}, err
	}
	var answer stsAnswer
	if err := json.Unmarshal(body, &answer); err != nil {
		return Credentials{}, fmt.Errorf("%s: the answer is not STS JSON: %s", res.Status, firstLine(body))
	}
	if res.StatusCode != http.StatusOK || answer.Credentials == nil {
		return Credentials{}, fmt.Errorf("%s: %s: %s (request %s)", res.Status, answer.Code, answer.Message, answer.RequestID)
	}
	c := answer.Credentials
	expires, err := time.Parse(time.RFC3339, c.Expiration)
	if err != nil {
		return Credentials{}, fmt.Errorf("STS Expiration %q is not an RFC 3339 time", c.Expiration)
	}
	if c.AccessKeyID == "" || c.AccessKeySecret == "" {
		return Credentials{}, errors.New("STS answered without an AccessKeyId or AccessKeySecret")
	}
	return Credentials{AccessKeyID: c.AccessKeyID, AccessKeySecret: c.AccessKeySecret, SecurityToken: c.SecurityToken, Expires: expires}, nil
}

// rpcEscape is the percent-encoding of Alibaba Cloud's RPC signature: RFC
// 3986 unreserved characters stay, everything else is %XX (space is %20).
func rpcEscape(s string) string {
	s = url.QueryEscape(s)
	return strings.NewReplacer("+", "%20", "*", "%2A", "%7E", "~").Replace(s)
}

func rpcQuery(v url.Values) string {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, rpcEscape(k)+"="+rpcEscape(v.Get(k)))
	}
	return strings.Join(parts, "&")
}

// signRPC is the signature of an Alibaba Cloud RPC-style call (STS): HMAC-SHA1
// with key secret+"&" over METHOD&%2F&escape(sorted query), base64. The
// Signature parameter itself is left out.
func signRPC(method string, params url.Values, secret string) string {
	unsigned := url.Values{}
	for k, vs := range params {
		if k != "Signature" {
			unsigned[k] = vs
		}
	}
	stringToSign := method + "&" + rpcEscape("/") + "&" + rpcEscape(rpcQuery(unsigned))
	mac := hmac.New(sha1.New, []byte(secret+"&"))
	mac.Write([]byte(stringToSign))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

func randomNonce() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}
