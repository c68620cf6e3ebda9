package setup

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ossq/internal/config"
	"ossq/internal/ossemu"
	"ossq/internal/ossemu/ossemutest"
	"ossq/transfer"
)

const (
	testAK     = "LTAI-setup-test-key"
	testSecret = "setup-test-secret-value"
)

// isolateEnv clears every variable a credential source reads and points
// HOME (the aliyun CLI's config) at an empty folder.
func isolateEnv(t *testing.T) string {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	t.Setenv("XDG_STATE_HOME", filepath.Join(home, ".state"))
	for _, name := range []string{config.EnvConfig, config.EnvAccessKeyID, config.EnvAccessKeySecret, config.EnvSessionToken,
		config.EnvAlibabaAccessKeyID, config.EnvAlibabaAccessKeySecret, config.EnvAlibabaSecurityToken, config.EnvRoleARN,
		config.EnvRoleSessionName, config.EnvOIDCProviderARN, config.EnvOIDCTokenFile, config.EnvCredentialsURI,
		config.EnvECSMetadata, config.EnvAliyunCLIProfile, config.EnvRegion, config.EnvEndpoint} {
		t.Setenv(name, "")
	}
	return home
}

func startEmulator(t *testing.T) string {
	t.Helper()
	srv := ossemutest.NewServer(t, ossemutest.WithBucket("bkt"), ossemutest.WithCredentials(testAK, testSecret),
		ossemutest.WithConfig(func(c *ossemu.Config) { c.STSTTL = time.Minute }))
	return srv.Endpoint
}

func mustList(t *testing.T, conn Connection) {
	t.Helper()
	store, err := Store(conn.Profile)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := store.ListObjects(ctx, "bkt", "", "/", "", 10); err != nil {
		t.Fatalf("profile %s (%s): %v", conn.Profile.Name, conn.Profile.CredentialSource, err)
	}
}

// Each source a profile can name reaches the emulator through Resolve and
// Store, as the TUI and the CLI use them.
func TestEverySourceThroughTheConfig(t *testing.T) {
	home := isolateEnv(t)
	ep := startEmulator(t)
	keys, _ := json.Marshal(map[string]string{"AccessKeyId": testAK, "AccessKeySecret": testSecret})
	keysFile := filepath.Join(home, "keys.json")
	os.WriteFile(keysFile, keys, 0o600)
	tokenFile := filepath.Join(home, "token")
	os.WriteFile(tokenFile, []byte("oidc-token"), 0o600)
	os.MkdirAll(filepath.Join(home, ".aliyun"), 0o700)
	cli, _ := json.Marshal(map[string]any{"current": "main", "profiles": []map[string]any{
		{"name": "main", "mode": "AK", "access_key_id": testAK, "access_key_secret": testSecret, "region_id": "cn-hangzhou"}}})
	os.WriteFile(filepath.Join(home, ".aliyun", "config.json"), cli, 0o600)

	path := writeConfig(t, `
[profiles.keys]
endpoint = "`+ep+`"
region = "cn-hangzhou"
access_key_id = "`+testAK+`"
access_key_secret = "`+testSecret+`"

[profiles.role]
endpoint = "`+ep+`"
region = "cn-hangzhou"
role_arn = "acs:ram::1:role/ossq"
source_profile = "keys"
sts_endpoint = "`+ep+`"

[profiles.ecs]
endpoint = "`+ep+`"
region = "cn-hangzhou"
credentials = "ecs_ram_role"
metadata_endpoint = "`+ep+`"

[profiles.uri]
endpoint = "`+ep+`"
region = "cn-hangzhou"
credentials_uri = "`+ep+ossemu.CredentialsURIPath+`"

[profiles.process]
endpoint = "`+ep+`"
region = "cn-hangzhou"
credential_process = "cat `+keysFile+`"

[profiles.oidc]
endpoint = "`+ep+`"
region = "cn-hangzhou"
credentials = "oidc"
sts_endpoint = "`+ep+`"

[profiles.cli]
endpoint = "`+ep+`"
credentials = "aliyun_cli"

[profiles.env]
endpoint = "`+ep+`"
region = "cn-hangzhou"
credentials = "env"
`)
	for name, want := range map[string]string{
		"keys": config.SourceConfig, "role": config.SourceRAMRole, "ecs": config.SourceECSRole, "uri": config.SourceURI,
		"process": config.SourceProcess, "oidc": config.SourceOIDC, "cli": config.SourceAliyunCLI, "env": config.SourceEnvironment,
	} {
		t.Run(name, func(t *testing.T) {
			switch name { // the environment of each source, only in its own test
			case "oidc":
				t.Setenv(config.EnvRoleARN, "acs:ram::1:role/pod")
				t.Setenv(config.EnvOIDCProviderARN, "acs:ram::1:oidc-provider/p")
				t.Setenv(config.EnvOIDCTokenFile, tokenFile)
			case "env":
				t.Setenv(config.EnvAlibabaAccessKeyID, testAK)
				t.Setenv(config.EnvAlibabaAccessKeySecret, testSecret)
			}
			conn, err := Resolve(Overrides{ConfigPath: path, Profile: name})
			if err != nil {
				t.Fatal(err)
			}
			if conn.Profile.CredentialSource != want {
				t.Fatalf("source %q, want %q", conn.Profile.CredentialSource, want)
			}
			mustList(t, conn)
		})
	}
	// The CLI's profile also gave the region the loopback endpoint cannot.
	conn, _ := Resolve(Overrides{ConfigPath: path, Profile: "cli"})
	if conn.Profile.Region != "cn-hangzhou" {
		t.Errorf("aliyun CLI profile region not used: %q", conn.Profile.Region)
	}
}

func TestStoreForProfile(t *testing.T) {
	isolateEnv(t)
	ep := startEmulator(t)
	cfg, err := config.Parse("config.toml", "[profiles.a]\nendpoint = \""+ep+"\"\nregion = \"cn-hangzhou\"\naccess_key_id = \""+
		testAK+"\"\naccess_key_secret = \""+testSecret+"\"\n")
	if err != nil {
		t.Fatal(err)
	}
	store, err := StoreForProfile(cfg, "a")
	if err != nil {
		t.Fatal(err)
	}
	if src, ok := store.(transfer.CredentialSourcer); !ok || src.CredentialSource() != config.SourceConfig {
		t.Errorf("store's credential source: %v", store)
	}
	if _, err := StoreForProfile(cfg, "gone"); err == nil || !strings.Contains(err.Error(), `"gone" not found`) ||
		!strings.Contains(err.Error(), "available: a") {
		t.Errorf("missing profile: %v", err)
	}
}

// config show names the source and never prints a secret; an insecure
// profile warns.
func TestConfigShowHidesSecrets(t *testing.T) {
	isolateEnv(t)
	path := writeConfig(t, `
[profiles.default]
endpoint = "https://oss-cn-beijing.aliyuncs.com"
access_key_id = "LTAI5tAbCdEfGhIjKlMn"
access_key_secret = "very-secret-value"
insecure_skip_verify = true
proxy = "http://user:proxy-password@proxy.example:3128"
`)
	var out, errOut bytes.Buffer
	if code := ConfigCommand([]string{"show", "--config", path}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	text := out.String() + errOut.String()
	for _, secret := range []string{"very-secret-value", "proxy-password", "LTAI5tAbCdEfGhIjKlMn"} {
		if strings.Contains(text, secret) {
			t.Errorf("config show printed %q:\n%s", secret, text)
		}
	}
	for _, want := range []string{"region:            cn-beijing", "profile keys (LTAI…KlMn)", "NOT checked", "insecure_skip_verify = true"} {
		if !strings.Contains(text, want) {
			t.Errorf("config show lacks %q:\n%s", want, text)
		}
	}
}

// A loopback endpoint without a region says exactly what to set.
func TestMissingRegionSaysWhatToSet(t *testing.T) {
	isolateEnv(t)
	path := writeConfig(t, "[profiles.default]\nanonymous = true\n")
	_, err := Resolve(Overrides{ConfigPath: path, Endpoint: "http://127.0.0.1:9000"})
	if err == nil || !strings.Contains(err.Error(), "--region") || !strings.Contains(err.Error(), config.EnvRegion) {
		t.Fatalf("err %v, want it to name --region and %s", err, config.EnvRegion)
	}
	t.Setenv(config.EnvRegion, "cn-shanghai")
	conn, err := Resolve(Overrides{ConfigPath: path})
	if err != nil || conn.Profile.Endpoint != "oss-cn-shanghai.aliyuncs.com" {
		t.Fatalf("OSS_REGION alone: %+v %v, want the public endpoint derived", conn.Profile, err)
	}
	internal := writeConfig(t, "[profiles.default]\nanonymous = true\ninternal = true\n")
	if conn, err := Resolve(Overrides{ConfigPath: internal}); err != nil || conn.Profile.Endpoint != "oss-cn-shanghai-internal.aliyuncs.com" {
		t.Fatalf("internal = true: %+v %v", conn.Profile.Endpoint, err)
	}
}

// Keys fixed in the config file are picked up when the store asks again,
// which it does after the server refused the old ones.
func TestFixedKeysInTheFileAreReread(t *testing.T) {
	isolateEnv(t)
	ep := startEmulator(t)
	profile := func(secret string) string {
		return "[profiles.default]\nendpoint = \"" + ep + "\"\nregion = \"cn-hangzhou\"\naccess_key_id = \"" + testAK +
			"\"\naccess_key_secret = \"" + secret + "\"\n"
	}
	path := writeConfig(t, profile("revoked-secret"))
	conn, err := Resolve(Overrides{ConfigPath: path})
	if err != nil {
		t.Fatal(err)
	}
	store, err := Store(conn.Profile)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := store.ListObjects(ctx, "bkt", "", "/", "", 10); err == nil {
		t.Fatal("a wrong secret was accepted")
	}
	if err := os.WriteFile(path, []byte(profile(testSecret)), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := store.(transfer.CredentialsRefresher).RefreshCredentials(ctx); err != nil {
		t.Fatalf("RefreshCredentials after fixing the file: %v", err)
	}
	if _, err := store.ListObjects(ctx, "bkt", "", "/", "", 10); err != nil {
		t.Fatalf("with the fixed keys: %v", err)
	}
}
