package setup

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

	"ossq/internal/config"
)

// ConfigCommand runs `ossq config show`: the resolved profile and where its
// credentials come from, never a secret. It returns the exit code.
func ConfigCommand(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "show" {
		fmt.Fprintln(stderr, "usage: ossq config show [--config FILE] [--profile NAME] [--endpoint URL] [--region REGION]")
		return 2
	}
	fs := flag.NewFlagSet("ossq config show", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o Overrides
	fs.StringVar(&o.ConfigPath, "config", "", "config `file`")
	fs.StringVar(&o.Profile, "profile", "", "profile `name`")
	fs.StringVar(&o.Endpoint, "endpoint", "", "endpoint `URL` overriding the profile's")
	fs.StringVar(&o.Region, "region", "", "`region` overriding the profile's")
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	conn, err := Resolve(o)
	if err != nil {
		fmt.Fprintf(stderr, "ossq config show: %v\n", err)
		return 2
	}
	for _, w := range conn.Config.Warnings {
		fmt.Fprintf(stderr, "ossq: warning: %s\n", w)
	}
	ShowProfile(stdout, conn)
	return 0
}

// ShowProfile writes the resolved connection as "name: value" lines.
func ShowProfile(w io.Writer, conn Connection) {
	p := conn.Profile
	path := conn.Config.Path
	if path == "" {
		path = "none (defaults and environment only)"
	}
	addressing := "virtual-hosted (bucket.endpoint)"
	switch {
	case p.UsePathStyle:
		addressing = "path-style (endpoint/bucket)"
	case p.UseCName:
		addressing = "custom domain (CNAME)"
	}
	lines := [][2]string{
		{"config", path},
		{"profile", p.Name},
		{"endpoint", p.Endpoint},
		{"region", orDash(p.Region)},
		{"signature", p.SignatureVersion},
		{"addressing", addressing},
		{"credentials", p.DescribeCredentials()},
		{"credential source", orDash(p.CredentialSource)},
		{"proxy", describeProxy(p.Proxy)},
		{"tls", describeTLS(p)},
	}
	if names := conn.Config.ProfileNames(); len(names) > 0 {
		lines = append(lines, [2]string{"profiles", strings.Join(names, ", ")})
	}
	for _, l := range lines {
		fmt.Fprintf(w, "%-18s %s\n", l[0]+":", l[1])
	}
}

// CredentialsLabel is the short description of a profile's credential
// source for the TUI header.
func CredentialsLabel(p config.Profile) string { return p.DescribeCredentials() }

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// describeProxy names the proxy in use, with any password hidden.
func describeProxy(profileProxy string) string {
	redact := func(raw string) string {
		if u, err := url.Parse(raw); err == nil {
			return u.Redacted()
		}
		return raw
	}
	if profileProxy != "" {
		return redact(profileProxy) + " (profile)"
	}
	var env []string
	for _, name := range []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy"} {
		if v := os.Getenv(name); v != "" {
			if !strings.HasPrefix(strings.ToUpper(name), "NO_") {
				v = redact(v)
			}
			env = append(env, name+"="+v)
		}
	}
	if len(env) == 0 {
		return "none"
	}
	return "from the environment: " + strings.Join(env, " ")
}

func describeTLS(p config.Profile) string {
	switch {
	case p.InsecureSkipVerify:
		return "certificates NOT checked (insecure_skip_verify)"
	case p.CAFile != "":
		return "system roots + " + p.CAFile
	}
	return "system roots"
}
