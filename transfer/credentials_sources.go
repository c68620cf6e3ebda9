package transfer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/credentials"
)

// DefaultMetadataEndpoint is the ECS instance metadata service.
const DefaultMetadataEndpoint = "http://100.100.100.200"

// maxCredentialsBody bounds what a credentials endpoint may send.
const maxCredentialsBody = 1 << 20

// ProcessCredentials runs command (through sh -c) and reads the JSON it prints
// ({"AccessKeyId", "AccessKeySecret", "SecurityToken", "Expiration"}), the
// credential_process format of the SDK and the aliyun CLI.
func ProcessCredentials(command string) CredentialsFunc {
	provider := credentials.NewProcessCredentialsProvider(command)
	return func(ctx context.Context) (Credentials, error) {
		got, err := provider.GetCredentials(ctx)
		if err != nil {
			return Credentials{}, fmt.Errorf("credential_process %q: %w", command, err)
		}
		out := Credentials{AccessKeyID: got.AccessKeyID, AccessKeySecret: got.AccessKeySecret, SecurityToken: got.SecurityToken}
		if got.Expires != nil {
			out.Expires = *got.Expires
		}
		return out, nil
	}
}

// credentialsDocument is the JSON a credentials URI and the ECS metadata
// service answer with.
type credentialsDocument struct {
	Code            string `json:"Code"`
	Message         string `json:"Message"`
	AccessKeyID     string `json:"AccessKeyId"`
	AccessKeySecret string `json:"AccessKeySecret"`
	SecurityToken   string `json:"SecurityToken"`
	Expiration      string `json:"Expiration"`
}

// parseCredentialsDocument reads a credentials JSON document; a Code other
// than Success is the source's refusal.
func parseCredentialsDocument(body []byte) (Credentials, error) {
	var doc credentialsDocument
	if err := json.Unmarshal(body, &doc); err != nil {
		return Credentials{}, fmt.Errorf("not a credentials JSON document: %w", err)
	}
	if doc.Code != "" && !strings.EqualFold(doc.Code, "Success") {
		return Credentials{}, fmt.Errorf("the source answered %s: %s", doc.Code, doc.Message)
	}
	if doc.AccessKeyID == "" || doc.AccessKeySecret == "" {
		return Credentials{}, errors.New("the document has no AccessKeyId or AccessKeySecret")
	}
	out := Credentials{AccessKeyID: doc.AccessKeyID, AccessKeySecret: doc.AccessKeySecret, SecurityToken: doc.SecurityToken}
	if doc.Expiration != "" {
		t, err := time.Parse(time.RFC3339, doc.Expiration)
		if err != nil {
			return Credentials{}, fmt.Errorf("the Expiration %q is not an RFC 3339 time", doc.Expiration)
		}
		out.Expires = t
	}
	return out, nil
}

func getBody(ctx context.Context, client *http.Client, method, target string, header http.Header) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, target, nil)
	if err != nil {
		return nil, err
	}
	for name, values := range header {
		req.Header[name] = values
	}
	res, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, redactURL(target), withoutURL(err))
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, maxCredentialsBody))
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, redactURL(target), err)
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s %s: %s: %s", method, redactURL(target), res.Status, firstLine(body))
	}
	return body, nil
}

func firstLine(b []byte) string {
	s, _, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// URICredentials GETs uri and reads a credentials document, as the
// ALIBABA_CLOUD_CREDENTIALS_URI source of Alibaba Cloud's tools does.
func URICredentials(client *http.Client, uri string) CredentialsFunc {
	return func(ctx context.Context) (Credentials, error) {
		body, err := getBody(ctx, client, http.MethodGet, uri, nil)
		if err != nil {
			return Credentials{}, fmt.Errorf("credentials URI: %w", err)
		}
		got, err := parseCredentialsDocument(body)
		if err != nil {
			return Credentials{}, fmt.Errorf("credentials URI %s: %w", uri, err)
		}
		return got, nil
	}
}

// ECSRoleCredentials asks the instance metadata service at endpoint
// (DefaultMetadataEndpoint on ECS) for the temporary keys of RAM role role;
// with role "" it first asks which role the instance has. It uses the
// hardened (token) mode when the service offers it and falls back to the
// plain one otherwise.
func ECSRoleCredentials(client *http.Client, endpoint, role string) CredentialsFunc {
	base := strings.TrimSuffix(endpoint, "/") + "/latest/meta-data/ram/security-credentials/"
	return func(ctx context.Context) (Credentials, error) {
		header := http.Header{}
		if token, err := getBody(ctx, client, http.MethodPut, strings.TrimSuffix(endpoint, "/")+"/latest/api/token",
			http.Header{"X-Aliyun-Ecs-Metadata-Token-Ttl-Seconds": {"21600"}}); err == nil {
			header.Set("X-Aliyun-Ecs-Metadata-Token", strings.TrimSpace(string(token)))
		}
		name := role
		if name == "" {
			body, err := getBody(ctx, client, http.MethodGet, base, header)
			if err != nil {
				return Credentials{}, fmt.Errorf("ECS RAM role: which role the instance has: %w", err)
			}
			name = strings.TrimSpace(firstLine(body))
			if name == "" {
				return Credentials{}, errors.New("ECS RAM role: the instance has no RAM role attached")
			}
		}
		body, err := getBody(ctx, client, http.MethodGet, base+name, header)
		if err != nil {
			return Credentials{}, fmt.Errorf("ECS RAM role %s: %w", name, err)
		}
		got, err := parseCredentialsDocument(body)
		if err != nil {
			return Credentials{}, fmt.Errorf("ECS RAM role %s: %w", name, err)
		}
		return got, nil
	}
}

// redactURL drops a URL's query and user info, which may carry a secret
// (a credentials URI with a token), before it goes into a message.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	if u.RawQuery != "" {
		u.RawQuery = "…"
	}
	u.User = nil
	return u.String()
}

// withoutURL unwraps a *url.Error, whose text quotes the whole URL.
func withoutURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
