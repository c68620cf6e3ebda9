package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// clearCredentialEnv empties every variable the chain reads and the home
// folder the aliyun CLI's config lives in.
func clearCredentialEnv(t *testing.T) string {
	t.Helper()
	isolate(t)
	home := t.TempDir()
	t.Setenv("HOME", home)
	for _, name := range []string{EnvAlibabaAccessKeyID, EnvAlibabaAccessKeySecret, EnvAlibabaSecurityToken, EnvRoleARN,
		EnvRoleSessionName, EnvOIDCProviderARN, EnvOIDCTokenFile, EnvCredentialsURI, EnvECSMetadata, EnvAliyunCLIProfile,
		EnvRegion, EnvEndpoint} {
		t.Setenv(name, "")
	}
	return home
}

// The default chain takes the first source present, in the order of
// Alibaba Cloud's tools.
func TestDefaultCredentialChainOrder(t *testing.T) {
	home := clearCredentialEnv(t)
	profile := func(text string) Profile {
		t.Helper()
		cfg, err := Parse("c.toml", "[profiles.p]\nregion = \"r\"\n"+text)
		if err != nil {
			t.Fatal(err)
		}
		p, err := cfg.Profile("p")
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	everything := "access_key_id = \"a\"\naccess_key_secret = \"s\"\necs_ram_role = \"r\"\n" +
		"credentials_uri = \"http://127.0.0.1:1/c\"\ncredential_process = \"true\"\n"
	steps := []struct {
		text, want string
	}{
		{"role_arn = \"acs:ram::1:role/x\"\n" + everything, SourceRAMRole},
		{everything, SourceConfig},
		{"ecs_ram_role = \"r\"\ncredentials_uri = \"http://127.0.0.1:1/c\"\ncredential_process = \"true\"\n", SourceECSRole},
		{"credentials_uri = \"http://127.0.0.1:1/c\"\ncredential_process = \"true\"\n", SourceURI},
		{"credential_process = \"true\"\n", SourceProcess},
		{"", SourceAnonymous},
	}
	for _, s := range steps {
		if got := profile(s.text).CredentialSource; got != s.want {
			t.Errorf("%q: source %q, want %q", s.text, got, s.want)
		}
	}
	os.MkdirAll(filepath.Join(home, ".aliyun"), 0o700)
	os.WriteFile(filepath.Join(home, ".aliyun", "config.json"), []byte(`{"profiles":[]}`), 0o600)
	if got := profile("").CredentialSource; got != SourceAliyunCLI {
		t.Errorf("with ~/.aliyun/config.json: source %q, want aliyun_cli", got)
	}
	t.Setenv(EnvRoleARN, "acs:ram::1:role/pod")
	t.Setenv(EnvOIDCProviderARN, "acs:ram::1:oidc-provider/p")
	t.Setenv(EnvOIDCTokenFile, "/tmp/token")
	if p := profile("ecs_ram_role = \"r\"\n"); p.CredentialSource != SourceOIDC || p.RoleARN != "acs:ram::1:role/pod" {
		t.Errorf("RRSA variables: %+v, want oidc with the role from the environment", p.ProfileCredentials)
	}
	t.Setenv(EnvAlibabaAccessKeyID, "env-id")
	t.Setenv(EnvAlibabaAccessKeySecret, "env-secret")
	if p := profile(""); p.CredentialSource != SourceEnvironment || p.AccessKeyID != "env-id" {
		t.Errorf("ALIBABA_CLOUD_* keys: %q %q", p.CredentialSource, p.AccessKeyID)
	}
	if p := profile("credentials = \"anonymous\"\n"); !p.Anonymous || p.AccessKeyID != "" {
		t.Errorf("credentials = anonymous ignores the environment: %+v", p)
	}
}

func TestCredentialKeysValidated(t *testing.T) {
	clearCredentialEnv(t)
	for text, want := range map[string]string{
		"credentials = \"process\"\n":                        `c.toml:2:1: credentials = "process" needs credential_process`,
		"credentials = \"magic\"\n":                          "c.toml:2:1: profiles.p.credentials = \"magic\": must be one of",
		"role_arn = \"arn:aws:iam::1:role/x\"\n":             "c.toml:2:1: profiles.p.role_arn",
		"role_duration = \"13h\"\n":                          "out of range: allowed 15m0s to 12h0m0s",
		"source_profile = \"nope\"\n":                        `c.toml:2:1: source_profile "nope" is not a profile`,
		"source_profile = \"p\"\n":                           "cannot be its own source_profile",
		"ca_file = \"/no/such/ca.pem\"\n":                    "c.toml:2:1: profiles.p.ca_file",
		"internal = true\naccelerate = true\n":               "c.toml:3:1: internal and accelerate cannot both be true",
		"credentials_uri = \"ftp://x\"\n":                    "must be an http:// or https:// URL",
		"credentials = \"profile\"\naccess_key_id = \"a\"\n": "needs access_key_id and access_key_secret",
	} {
		_, err := Parse("c.toml", "[profiles.p]\n"+text)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", text, err, want)
		}
	}
}

func TestSourceProfileChains(t *testing.T) {
	clearCredentialEnv(t)
	cfg, err := Parse("c.toml", `
[profiles.base]
access_key_id = "a"
access_key_secret = "s"
[profiles.admin]
role_arn = "acs:ram::1:role/admin"
source_profile = "base"
[profiles.deploy]
role_arn = "acs:ram::1:role/deploy"
source_profile = "admin"
[profiles.loop1]
role_arn = "acs:ram::1:role/x"
source_profile = "loop2"
[profiles.loop2]
role_arn = "acs:ram::1:role/y"
source_profile = "loop1"
`)
	if err != nil {
		t.Fatal(err)
	}
	p, err := cfg.Profile("deploy")
	if err != nil {
		t.Fatal(err)
	}
	if p.Source == nil || p.Source.Name != "admin" || p.Source.Source == nil || p.Source.Source.AccessKeyID != "a" {
		t.Fatalf("deploy's source chain not resolved: %+v", p.Source)
	}
	if !strings.Contains(p.DescribeCredentials(), "assumed with profile admin") {
		t.Errorf("description %q", p.DescribeCredentials())
	}
	if _, err := cfg.Profile("loop1"); err == nil || !strings.Contains(err.Error(), "leads back to itself") {
		t.Errorf("source_profile loop: %v", err)
	}
}

func TestRegionEndpoints(t *testing.T) {
	for _, c := range []struct {
		internal, accelerate bool
		want                 string
	}{
		{false, false, "oss-cn-hangzhou.aliyuncs.com"},
		{true, false, "oss-cn-hangzhou-internal.aliyuncs.com"},
		{false, true, "oss-accelerate.aliyuncs.com"},
	} {
		if got := RegionEndpoint("cn-hangzhou", c.internal, c.accelerate); got != c.want {
			t.Errorf("RegionEndpoint(internal=%v, accelerate=%v) = %q, want %q", c.internal, c.accelerate, got, c.want)
		}
		if c.accelerate {
			continue
		}
		if got := RegionFromEndpoint(c.want); got != "cn-hangzhou" {
			t.Errorf("RegionFromEndpoint(%q) = %q", c.want, got)
		}
	}
}

func TestEnvironmentSourceWithoutKeysSaysWhichVariables(t *testing.T) {
	clearCredentialEnv(t)
	cfg, err := Parse("c.toml", "[profiles.p]\nregion = \"r\"\ncredentials = \"env\"\n")
	if err != nil {
		t.Fatal(err)
	}
	p, err := cfg.Profile("p")
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Check(); err == nil || !strings.Contains(err.Error(), EnvAccessKeyID) || !strings.Contains(err.Error(), EnvAlibabaAccessKeyID) {
		t.Fatalf("Check: %v, want it to name the variables", err)
	}
}
