package config

import (
	"strings"
	"testing"
)

func TestAliyunCLIProfiles(t *testing.T) {
	cfg, err := ParseAliyunCLIConfig("config.json", []byte(`{"current": "work", "profiles": [
		{"name": "work", "mode": "AK", "access_key_id": "LTAIwork", "access_key_secret": "s", "region_id": "cn-beijing"},
		{"name": "role", "mode": "ChainableRamRoleArn", "source_profile": "work", "ram_role_arn": "acs:ram::1:role/r"},
		{"name": "half", "mode": "StsToken", "access_key_id": "a", "access_key_secret": "s"},
		{"name": "sso", "mode": "CloudSSO"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if p, err := cfg.Profile(""); err != nil || p.Name != "work" || p.RegionID != "cn-beijing" {
		t.Errorf("current profile: %+v %v", p, err)
	}
	if p, err := cfg.Profile("role"); err != nil || p.SourceProfile != "work" {
		t.Errorf("role profile: %+v %v", p, err)
	}
	for name, want := range map[string]string{"half": "needs", "sso": "cannot use", "missing": "has no profile"} {
		if _, err := cfg.Profile(name); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("profile %s: %v, want an error mentioning %q", name, err, want)
		}
	}
	if _, err := ParseAliyunCLIConfig("config.json", []byte(`{"profiles": [`)); err == nil || !strings.Contains(err.Error(), "config.json") {
		t.Errorf("broken JSON: %v", err)
	}
}

func FuzzParseAliyunCLIConfig(f *testing.F) {
	f.Add([]byte(`{"current":"default","profiles":[{"name":"default","mode":"AK","access_key_id":"a","access_key_secret":"b"}]}`))
	f.Add([]byte(`{"profiles":[{"name":"x","mode":"OIDC"}]}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := ParseAliyunCLIConfig("config.json", data)
		if err != nil {
			return
		}
		p, err := cfg.Profile("")
		if err == nil && p.check(cfg.Path) != nil {
			t.Fatalf("Profile returned a profile that fails its own check: %+v", p)
		}
	})
}
