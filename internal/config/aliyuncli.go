package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// The aliyun CLI keeps its profiles in ~/.aliyun/config.json; a user who set
// up the CLI can point ossq at them (credentials = "aliyun_cli") or let the
// default chain find them.

// AliyunCLIConfigPath is where the aliyun CLI keeps its profiles.
func AliyunCLIConfigPath() string { return aliyunCLIConfigPath(os.Getenv) }

func aliyunCLIConfigPath(getenv Getenv) string {
	home := homeDir(getenv)
	if home == "" {
		return filepath.Join(".aliyun", "config.json")
	}
	return filepath.Join(home, ".aliyun", "config.json")
}

// AliyunCLIProfile is one profile of the aliyun CLI, in its own field names.
type AliyunCLIProfile struct {
	Name            string `json:"name"`
	Mode            string `json:"mode"`
	AccessKeyID     string `json:"access_key_id"`
	AccessKeySecret string `json:"access_key_secret"`
	STSToken        string `json:"sts_token"`
	RAMRoleName     string `json:"ram_role_name"`
	RAMRoleARN      string `json:"ram_role_arn"`
	RAMSessionName  string `json:"ram_session_name"`
	SourceProfile   string `json:"source_profile"`
	ExpiredSeconds  int    `json:"expired_seconds"`
	RegionID        string `json:"region_id"`
	STSRegion       string `json:"sts_region"`
	ProcessCommand  string `json:"process_command"`
	CredentialsURI  string `json:"credentials_uri"`
	OIDCProviderARN string `json:"oidc_provider_arn"`
	OIDCTokenFile   string `json:"oidc_token_file"`
}

// AliyunCLIConfig is the CLI's config.json.
type AliyunCLIConfig struct {
	Path     string             `json:"-"`
	Current  string             `json:"current"`
	Profiles []AliyunCLIProfile `json:"profiles"`
}

// aliyunCLIModes are the CLI's credential modes ossq can use.
var aliyunCLIModes = []string{"AK", "StsToken", "RamRoleArn", "ChainableRamRoleArn", "EcsRamRole", "External",
	"CredentialsURI", "OIDC"}

// ParseAliyunCLIConfig reads the CLI's config.json text (path is for messages).
func ParseAliyunCLIConfig(path string, data []byte) (*AliyunCLIConfig, error) {
	cfg := &AliyunCLIConfig{Path: path}
	if err := json.Unmarshal(data, cfg); err != nil {
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) {
			return nil, fmt.Errorf("%s: not valid JSON at byte %d", path, syntax.Offset)
		}
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return cfg, nil
}

// LoadAliyunCLIConfig reads the CLI's profiles from AliyunCLIConfigPath.
func LoadAliyunCLIConfig() (*AliyunCLIConfig, error) {
	path := AliyunCLIConfigPath()
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("aliyun CLI config: %w", err)
	}
	return ParseAliyunCLIConfig(path, data)
}

// Profile finds a CLI profile by name ("" = the CLI's current one) and
// checks that its mode is one ossq can use with the fields that mode needs.
func (c *AliyunCLIConfig) Profile(name string) (AliyunCLIProfile, error) {
	if name == "" {
		name = c.Current
	}
	if name == "" {
		name = "default"
	}
	var names []string
	for _, p := range c.Profiles {
		if p.Name == name {
			return p, p.check(c.Path)
		}
		names = append(names, p.Name)
	}
	return AliyunCLIProfile{}, fmt.Errorf("%s has no profile %q; it has: %s (choose one with aliyun_cli_profile)",
		c.Path, name, orNone(names))
}

func (p AliyunCLIProfile) check(path string) error {
	need := func(fields ...string) error {
		return fmt.Errorf("%s: profile %q (mode %s) needs %s", path, p.Name, p.Mode, strings.Join(fields, " and "))
	}
	switch p.Mode {
	case "AK":
		if p.AccessKeyID == "" || p.AccessKeySecret == "" {
			return need("access_key_id", "access_key_secret")
		}
	case "StsToken":
		if p.AccessKeyID == "" || p.AccessKeySecret == "" || p.STSToken == "" {
			return need("access_key_id", "access_key_secret", "sts_token")
		}
	case "RamRoleArn":
		if p.AccessKeyID == "" || p.AccessKeySecret == "" || p.RAMRoleARN == "" {
			return need("access_key_id", "access_key_secret", "ram_role_arn")
		}
	case "ChainableRamRoleArn":
		if p.SourceProfile == "" || p.RAMRoleARN == "" {
			return need("source_profile", "ram_role_arn")
		}
	case "External":
		if p.ProcessCommand == "" {
			return need("process_command")
		}
	case "CredentialsURI":
		if p.CredentialsURI == "" {
			return need("credentials_uri")
		}
	case "OIDC":
		if p.OIDCProviderARN == "" || p.OIDCTokenFile == "" || p.RAMRoleARN == "" {
			return need("oidc_provider_arn", "oidc_token_file", "ram_role_arn")
		}
	case "EcsRamRole":
	default:
		return fmt.Errorf("%s: profile %q has mode %q, which ossq cannot use (it can: %s)",
			path, p.Name, p.Mode, strings.Join(aliyunCLIModes, ", "))
	}
	return nil
}
