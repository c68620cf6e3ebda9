package transfer

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/transport"
	"golang.org/x/net/http/httpproxy"
)

// proxyFunc is the profile's proxy when it has one, else HTTPS_PROXY,
// HTTP_PROXY and NO_PROXY as they are now. (http.ProxyFromEnvironment
// reads the environment once per process; httpproxy reads it here, so a
// store built later sees the variables as they are then.) Loopback hosts
// never go through an environment proxy.
func proxyFunc(profileProxy string) (func(*http.Request) (*url.URL, error), error) {
	if profileProxy != "" {
		u, err := url.Parse(profileProxy)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("proxy %q is not a URL", profileProxy)
		}
		return http.ProxyURL(u), nil
	}
	fromEnv := httpproxy.FromEnvironment().ProxyFunc()
	return func(r *http.Request) (*url.URL, error) { return fromEnv(r.URL) }, nil
}

// tlsConfig adds the PEM bundle caFile to the system roots.
func tlsConfig(caFile string, insecure bool) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: transport.DefaultTLSMinVersion, InsecureSkipVerify: insecure}
	if caFile == "" {
		return cfg, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("ca_file: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("ca_file %s holds no PEM certificate", caFile)
	}
	cfg.RootCAs = pool
	return cfg, nil
}

// newHTTPClient is the SDK's own client (its dialer, timeouts and no
// redirects) with ossq's proxy and TLS settings.
func newHTTPClient(o ClientOptions) (*http.Client, error) {
	proxy, err := proxyFunc(o.Proxy)
	if err != nil {
		return nil, err
	}
	tlsCfg, err := tlsConfig(o.CAFile, o.InsecureSkipVerify)
	if err != nil {
		return nil, err
	}
	tcfg := &transport.Config{}
	if o.ConnectTimeout > 0 {
		tcfg.ConnectTimeout = &o.ConnectTimeout
	}
	if o.ReadTimeout > 0 {
		tcfg.ReadWriteTimeout = &o.ReadTimeout
	}
	return transport.NewHttpClient(tcfg, func(t *http.Transport) {
		t.Proxy = proxy
		t.TLSClientConfig = tlsCfg
	}), nil
}

// CredentialsHTTPClient is the HTTP client for credential sources that live
// on the network (STS, a credentials URI): the profile's proxy, CA file and
// TLS settings, and a bound on the whole exchange.
func CredentialsHTTPClient(o ClientOptions) (*http.Client, error) {
	c, err := newHTTPClient(o)
	if err != nil {
		return nil, err
	}
	c.Timeout = time.Minute
	return c, nil
}

// MetadataHTTPClient reaches the ECS metadata service, which is on the
// instance's own link and never behind a proxy.
func MetadataHTTPClient() *http.Client {
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{Proxy: nil}}
}

// networkError says in plain words what failed on the way to endpoint: the
// name lookup, the certificate, or the TLS handshake. It wraps the original
// error, so classification (transient or not) does not change.
type networkError struct {
	msg string
	err error
}

func (e *networkError) Error() string { return e.msg }
func (e *networkError) Unwrap() error { return e.err }

func explainNetwork(endpoint string, err error) error {
	if err == nil {
		return nil
	}
	var (
		dnsErr      *net.DNSError
		unknownCA   x509.UnknownAuthorityError
		hostErr     x509.HostnameError
		invalidCert x509.CertificateInvalidError
		recordErr   tls.RecordHeaderError
		verifyErr   *tls.CertificateVerificationError
	)
	var msg string
	switch {
	case errors.As(err, &dnsErr):
		msg = fmt.Sprintf("cannot find the host %s of endpoint %s (DNS lookup failed: %s); check the endpoint, or the network's DNS",
			dnsErr.Name, endpoint, dnsErr.Err)
	case errors.As(err, &unknownCA):
		msg = fmt.Sprintf("the TLS certificate of %s is signed by an authority this machine does not trust; "+
			"if a proxy or private CA re-signs traffic, set ca_file to its PEM bundle", endpoint)
	case errors.As(err, &hostErr):
		msg = fmt.Sprintf("the TLS certificate of %s is not valid for that host name (%v); check the endpoint", endpoint, hostErr)
	case errors.As(err, &invalidCert):
		msg = fmt.Sprintf("the TLS certificate of %s is not valid: %v", endpoint, invalidCert)
	case errors.As(err, &verifyErr):
		msg = fmt.Sprintf("the TLS certificate of %s could not be verified: %v", endpoint, verifyErr.Err)
	case errors.As(err, &recordErr), strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		msg = fmt.Sprintf("%s does not speak TLS; if it is a plain HTTP server, write the endpoint with http://", endpoint)
	default:
		return err
	}
	return &networkError{msg: msg, err: err}
}
