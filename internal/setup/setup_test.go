package setup

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ossq/internal/config"
	"ossq/transfer"
)

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestResolveOverrides(t *testing.T) {
	t.Setenv("OSS_ACCESS_KEY_ID", "")
	t.Setenv("OSS_ACCESS_KEY_SECRET", "")
	path := writeConfig(t, `
[profiles.default]
endpoint = "oss-cn-hangzhou.aliyuncs.com"
access_key_id = "ak"
access_key_secret = "sk"
`)
	conn, err := Resolve(Overrides{ConfigPath: path})
	if err != nil {
		t.Fatal(err)
	}
	if conn.Profile.Region != "cn-hangzhou" {
		t.Errorf("region %q, want it derived from the endpoint", conn.Profile.Region)
	}

	// --endpoint replaces the profile's; the region the profile already has stays.
	conn, err = Resolve(Overrides{ConfigPath: path, Endpoint: "http://127.0.0.1:9000"})
	if err != nil {
		t.Fatal(err)
	}
	if conn.Profile.Endpoint != "http://127.0.0.1:9000" || conn.Profile.Region != "cn-hangzhou" {
		t.Errorf("endpoint %q region %q", conn.Profile.Endpoint, conn.Profile.Region)
	}

	// A region alone makes the public endpoint.
	conn, err = Resolve(Overrides{ConfigPath: writeConfig(t, "[profiles.default]\nanonymous = true\n"), Region: "cn-beijing"})
	if err != nil {
		t.Fatal(err)
	}
	if conn.Profile.Endpoint != "oss-cn-beijing.aliyuncs.com" {
		t.Errorf("endpoint %q, want the region's public endpoint", conn.Profile.Endpoint)
	}
}

func TestResolveErrors(t *testing.T) {
	t.Setenv("OSS_ACCESS_KEY_ID", "")
	t.Setenv("OSS_ACCESS_KEY_SECRET", "")
	for name, c := range map[string]struct {
		config string
		o      Overrides
		want   string
	}{
		"no endpoint":     {"[profiles.default]\n", Overrides{}, "no endpoint or region"},
		"missing profile": {"[profiles.default]\nendpoint = \"e\"\n", Overrides{Profile: "prod"}, "prod"},
		"half a key pair": {"[profiles.default]\nregion = \"r\"\naccess_key_id = \"ak\"\n", Overrides{}, "access_key_secret"},
		"syntax":          {"[profiles.default\n", Overrides{}, "syntax error"},
	} {
		t.Run(name, func(t *testing.T) {
			c.o.ConfigPath = writeConfig(t, c.config)
			_, err := Resolve(c.o)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one mentioning %q", err, c.want)
			}
		})
	}
}

func TestOptionsMapping(t *testing.T) {
	p := config.DefaultProfile("x")
	p.Endpoint, p.Region, p.AccessKeyID, p.AccessKeySecret, p.SessionToken = "e", "r", "ak", "sk", "tok"
	p.UsePathStyle, p.SignatureVersion = true, "v1"
	co := ClientOptions(p)
	if co.Endpoint != "e" || co.Region != "r" || co.AccessKeyID != "ak" || co.AccessKeySecret != "sk" ||
		co.SessionToken != "tok" || !co.UsePathStyle || co.SignatureVersion != "v1" || co.ConnectTimeout != p.ConnectTimeout {
		t.Errorf("client options %+v do not carry the profile %+v", co, p)
	}

	tr := config.DefaultTransfer()
	tr.Retries, tr.MultipartThreshold = 0, 0
	eo := EngineOptions(tr)
	if eo.Retries != -1 {
		t.Errorf("retries = 0 in the config must mean none (engine -1), got %d", eo.Retries)
	}
	if eo.MultipartThreshold != 1 {
		t.Errorf("multipart_threshold = 0 in the config must put every non-empty file in parts (engine 1), got %d", eo.MultipartThreshold)
	}
	if eo := EngineOptions(config.DefaultTransfer()); eo.MultipartThreshold != transfer.DefaultMultipartThreshold {
		t.Errorf("default threshold %d, want %d", eo.MultipartThreshold, transfer.DefaultMultipartThreshold)
	}
	if eo.PartSize != tr.PartSize || eo.Parallel != tr.Parallel || eo.MaxActive != tr.MaxActive ||
		eo.StateDir != tr.StateDir || eo.CheckpointDir != tr.CheckpointDir || string(eo.OnExists) != tr.OnExists ||
		eo.ResumeOnStart != tr.ResumeOnStart {
		t.Errorf("engine options %+v do not carry %+v", eo, tr)
	}
}
