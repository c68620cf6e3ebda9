package config

import (
	"fmt"
	"os"
	"strings"
	"time"
)

// Credential sources a profile's `credentials` key may name. "default" (or
// leaving the key out) walks the chain in the order of Alibaba Cloud's own
// tools: the profile's keys, the environment's keys, a RAM role to assume,
// OIDC (RRSA), the ECS instance's RAM role, a credentials URI, an external
// process, the aliyun CLI's profiles; with none of them, anonymous access.
const (
	CredentialsDefault    = "default"
	CredentialsProfile    = "profile"
	CredentialsEnv        = "env"
	CredentialsRAMRole    = "ram_role_arn"
	CredentialsOIDC       = "oidc"
	CredentialsECSRole    = "ecs_ram_role"
	CredentialsURI        = "uri"
	CredentialsProcess    = "process"
	CredentialsAliyunCLI  = "aliyun_cli"
	CredentialsAnonymous  = "anonymous"
	maxRoleSessionSeconds = 12 * 3600
)

// CredentialSourceNames are the values `credentials` accepts.
var CredentialSourceNames = []string{CredentialsDefault, CredentialsProfile, CredentialsEnv, CredentialsRAMRole,
	CredentialsOIDC, CredentialsECSRole, CredentialsURI, CredentialsProcess, CredentialsAliyunCLI, CredentialsAnonymous}

// Environment variables of Alibaba Cloud's tools that ossq reads too.
const (
	EnvAlibabaAccessKeyID     = "ALIBABA_CLOUD_ACCESS_KEY_ID"
	EnvAlibabaAccessKeySecret = "ALIBABA_CLOUD_ACCESS_KEY_SECRET"
	EnvAlibabaSecurityToken   = "ALIBABA_CLOUD_SECURITY_TOKEN"
	EnvRoleARN                = "ALIBABA_CLOUD_ROLE_ARN"
	EnvRoleSessionName        = "ALIBABA_CLOUD_ROLE_SESSION_NAME"
	EnvOIDCProviderARN        = "ALIBABA_CLOUD_OIDC_PROVIDER_ARN"
	EnvOIDCTokenFile          = "ALIBABA_CLOUD_OIDC_TOKEN_FILE"
	EnvCredentialsURI         = "ALIBABA_CLOUD_CREDENTIALS_URI"
	EnvECSMetadata            = "ALIBABA_CLOUD_ECS_METADATA" // the instance's RAM role name
	EnvAliyunCLIProfile       = "ALIBABA_CLOUD_PROFILE"
	EnvRegion                 = "OSS_REGION"
	EnvEndpoint               = "OSS_ENDPOINT"
)

// Resolved credential sources beyond the key-based ones in config.go.
const (
	SourceRAMRole   = CredentialsRAMRole
	SourceOIDC      = CredentialsOIDC
	SourceECSRole   = CredentialsECSRole
	SourceURI       = CredentialsURI
	SourceProcess   = CredentialsProcess
	SourceAliyunCLI = CredentialsAliyunCLI
)

// ProfileCredentials are the keys that choose and configure a profile's
// credential source (beyond access_key_id, access_key_secret, session_token).
type ProfileCredentials struct {
	Credentials       string        // one of CredentialSourceNames; "" means default
	RoleARN           string        // ram_role_arn and oidc
	RoleSessionName   string        // "" means ossq-<time>
	RoleDuration      time.Duration // 0 means one hour
	ExternalID        string
	SourceProfile     string // the profile whose keys sign AssumeRole; "" means this one's keys
	STSEndpoint       string // "" means sts.aliyuncs.com
	OIDCProviderARN   string
	OIDCTokenFile     string
	ECSRole           string // "" means ask the metadata service
	MetadataEndpoint  string // "" means http://100.100.100.200
	CredentialsURI    string
	CredentialProcess string
	AliyunCLIProfile  string // "" means the CLI's current profile

	// Source is source_profile, resolved by Config.Profile (nil when unset).
	Source *Profile
	// File is the config file the profile was read from ("" for none), so
	// the keys can be read again after the server refused them (Reload).
	File string
	// getenv is the environment the profile was resolved in; Reload reads
	// the file again in the same one.
	getenv Getenv
}

// ProfileNetwork are the keys about how to reach the endpoint.
type ProfileNetwork struct {
	Internal           bool // derive the internal (VPC) endpoint from the region
	Accelerate         bool // derive the global acceleration endpoint
	CAFile             string
	InsecureSkipVerify bool
}

var credentialFields = map[string]field[Profile]{
	"credentials": func(p *Profile, v any, _ *decoder) string {
		return setString(&p.Credentials, v, oneOf(CredentialSourceNames...))
	},
	"role_arn":          func(p *Profile, v any, _ *decoder) string { return setString(&p.RoleARN, v, checkRoleARN) },
	"role_session_name": func(p *Profile, v any, _ *decoder) string { return setString(&p.RoleSessionName, v, nil) },
	"role_duration": func(p *Profile, v any, _ *decoder) string {
		return setDurationRange(&p.RoleDuration, v, 15*time.Minute, maxRoleSessionSeconds*time.Second)
	},
	"external_id":        func(p *Profile, v any, _ *decoder) string { return setString(&p.ExternalID, v, nil) },
	"source_profile":     func(p *Profile, v any, _ *decoder) string { return setString(&p.SourceProfile, v, nil) },
	"sts_endpoint":       func(p *Profile, v any, _ *decoder) string { return setString(&p.STSEndpoint, v, checkEndpoint) },
	"oidc_provider_arn":  func(p *Profile, v any, _ *decoder) string { return setString(&p.OIDCProviderARN, v, nil) },
	"oidc_token_file":    func(p *Profile, v any, d *decoder) string { return setDir(&p.OIDCTokenFile, v, d, true) },
	"ecs_ram_role":       func(p *Profile, v any, _ *decoder) string { return setString(&p.ECSRole, v, nil) },
	"metadata_endpoint":  func(p *Profile, v any, _ *decoder) string { return setString(&p.MetadataEndpoint, v, checkEndpoint) },
	"credentials_uri":    func(p *Profile, v any, _ *decoder) string { return setString(&p.CredentialsURI, v, checkURL) },
	"credential_process": func(p *Profile, v any, _ *decoder) string { return setString(&p.CredentialProcess, v, nil) },
	"aliyun_cli_profile": func(p *Profile, v any, _ *decoder) string { return setString(&p.AliyunCLIProfile, v, nil) },
	"internal":           func(p *Profile, v any, _ *decoder) string { return setBool(&p.Internal, v) },
	"accelerate":         func(p *Profile, v any, _ *decoder) string { return setBool(&p.Accelerate, v) },
	"ca_file":            func(p *Profile, v any, d *decoder) string { return setFile(&p.CAFile, v, d) },
	"insecure_skip_verify": func(p *Profile, v any, _ *decoder) string {
		return setBool(&p.InsecureSkipVerify, v)
	},
}

func init() {
	// The credential and network keys are profile keys like the others;
	// they are kept here, beside the rules that use them.
	for key, f := range credentialFields {
		profileFields[key] = f
	}
}

func setDurationRange(target *time.Duration, v any, lo, hi time.Duration) string {
	s, ok := v.(string)
	if !ok {
		return "must be a duration string such as \"1h\" or \"90m\", not " + typeName(v)
	}
	dur, err := time.ParseDuration(s)
	if err != nil {
		return "not a duration (use e.g. \"1h\", \"90m\")"
	}
	if dur < lo || dur > hi {
		return fmt.Sprintf("out of range: allowed %v to %v", lo, hi)
	}
	*target = dur
	return ""
}

func setFile(target *string, v any, d *decoder) string {
	var path string
	if msg := setDir(&path, v, d, true); msg != "" || path == "" {
		*target = ""
		return msg
	}
	info, err := os.Stat(path)
	if err != nil {
		return "cannot read " + path + ": " + strings.TrimPrefix(err.Error(), "stat "+path+": ")
	}
	if info.IsDir() {
		return path + " is a folder, not a file"
	}
	*target = path
	return ""
}

func checkRoleARN(s string) string {
	if s != "" && !strings.HasPrefix(s, "acs:ram::") {
		return `not a RAM role ARN (they look like "acs:ram::123456789012:role/name")`
	}
	return ""
}

func checkURL(s string) string {
	if s != "" && !strings.HasPrefix(s, "http://") && !strings.HasPrefix(s, "https://") {
		return "must be an http:// or https:// URL"
	}
	return checkEndpoint(s)
}

// checkCredentialKeys reports, at the `credentials` key, what the named
// source lacks, and contradictions between network keys.
func (d *decoder) checkCredentialKeys(p Profile, path []string) {
	at := append(append([]string(nil), path...), "credentials")
	need := func(what string) {
		d.fail(at, "credentials = %q needs %s in [%s]", p.Credentials, what, strings.Join(path, "."))
	}
	switch p.Credentials {
	case CredentialsProfile:
		if p.AccessKeyID == "" || p.AccessKeySecret == "" {
			need("access_key_id and access_key_secret")
		}
	case CredentialsRAMRole:
		if p.RoleARN == "" && d.getenv(EnvRoleARN) == "" {
			need("role_arn")
		}
	case CredentialsProcess:
		if p.CredentialProcess == "" {
			need("credential_process")
		}
	case CredentialsURI:
		if p.CredentialsURI == "" && d.getenv(EnvCredentialsURI) == "" {
			need("credentials_uri (or $" + EnvCredentialsURI + ")")
		}
	}
	if p.SourceProfile == p.Name && p.Name != "" {
		d.fail(append(append([]string(nil), path...), "source_profile"), "a profile cannot be its own source_profile")
	}
	if p.Internal && p.Accelerate {
		d.fail(append(append([]string(nil), path...), "accelerate"), "internal and accelerate cannot both be true")
	}
}

// checkSourceProfiles reports source_profile names that are not profiles.
func (d *decoder) checkSourceProfiles(cfg *Config) {
	for _, name := range cfg.ProfileNames() {
		p := cfg.Profiles[name]
		if p.SourceProfile == "" {
			continue
		}
		if _, ok := cfg.Profiles[p.SourceProfile]; !ok {
			d.fail([]string{"profiles", name, "source_profile"}, "source_profile %q is not a profile; profiles: %s",
				p.SourceProfile, strings.Join(cfg.ProfileNames(), ", "))
		}
	}
}

func firstEnv(getenv Getenv, names ...string) string {
	for _, name := range names {
		if v := getenv(name); v != "" {
			return v
		}
	}
	return ""
}

func fillFromEnv(getenv Getenv, field *string, names ...string) {
	if *field == "" {
		*field = firstEnv(getenv, names...)
	}
}

// resolveCredentials picks the profile's credential source and fills what
// that source needs from the environment; CredentialSource says which won.
func (c *Config) resolveCredentials(p *Profile) {
	getenv := c.env()
	fillFromEnv(getenv, &p.Region, EnvRegion)
	fillFromEnv(getenv, &p.Endpoint, EnvEndpoint)
	if p.Region == "" {
		p.Region = RegionFromEndpoint(p.Endpoint)
	}
	source := p.Credentials
	if p.Anonymous {
		source = CredentialsAnonymous
	}
	switch source {
	case CredentialsAnonymous:
		p.Anonymous = true
		p.AccessKeyID, p.AccessKeySecret, p.SessionToken = "", "", ""
		p.CredentialSource = SourceAnonymous
	case CredentialsProfile:
		p.CredentialSource = SourceConfig
	case CredentialsEnv:
		p.AccessKeyID, p.AccessKeySecret, p.SessionToken = "", "", ""
		applyEnvironmentKeys(getenv, p)
		p.CredentialSource = SourceEnvironment
	case CredentialsRAMRole, CredentialsOIDC:
		fillFromEnv(getenv, &p.RoleARN, EnvRoleARN)
		fillFromEnv(getenv, &p.RoleSessionName, EnvRoleSessionName)
		if source == CredentialsOIDC {
			fillFromEnv(getenv, &p.OIDCProviderARN, EnvOIDCProviderARN)
			fillFromEnv(getenv, &p.OIDCTokenFile, EnvOIDCTokenFile)
		} else if p.SourceProfile == "" {
			applyEnvironmentKeys(getenv, p) // the role is assumed with this profile's (or the environment's) keys
		}
		p.CredentialSource = source
	case CredentialsECSRole:
		fillFromEnv(getenv, &p.ECSRole, EnvECSMetadata)
		p.CredentialSource = SourceECSRole
	case CredentialsURI:
		fillFromEnv(getenv, &p.CredentialsURI, EnvCredentialsURI)
		p.CredentialSource = SourceURI
	case CredentialsProcess:
		p.CredentialSource = SourceProcess
	case CredentialsAliyunCLI:
		fillFromEnv(getenv, &p.AliyunCLIProfile, EnvAliyunCLIProfile)
		p.CredentialSource = SourceAliyunCLI
	default:
		c.defaultChain(p)
	}
}

// defaultChain is the order of Alibaba Cloud's tools, first match wins.
func (c *Config) defaultChain(p *Profile) {
	getenv := c.env()
	applyEnvironmentKeys(getenv, p)
	hasKeys := p.AccessKeyID != "" || p.AccessKeySecret != ""
	oidcReady := func() bool {
		return firstNonEmpty(p.OIDCProviderARN, getenv(EnvOIDCProviderARN)) != "" &&
			firstNonEmpty(p.OIDCTokenFile, getenv(EnvOIDCTokenFile)) != "" &&
			firstNonEmpty(p.RoleARN, getenv(EnvRoleARN)) != ""
	}
	switch {
	case p.RoleARN != "" && p.OIDCProviderARN == "" && (hasKeys || p.SourceProfile != ""):
		p.Credentials = CredentialsRAMRole
	case hasKeys:
		return // applyEnvironmentKeys named the source
	case oidcReady():
		p.Credentials = CredentialsOIDC
	case p.ECSRole != "" || p.MetadataEndpoint != "" || getenv(EnvECSMetadata) != "":
		p.Credentials = CredentialsECSRole
	case p.CredentialsURI != "" || getenv(EnvCredentialsURI) != "":
		p.Credentials = CredentialsURI
	case p.CredentialProcess != "":
		p.Credentials = CredentialsProcess
	case fileExists(aliyunCLIConfigPath(getenv)):
		p.Credentials = CredentialsAliyunCLI
	default:
		p.Credentials = CredentialsAnonymous
	}
	c.resolveCredentials(p)
	p.Credentials = CredentialsDefault
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

func fileExists(path string) bool {
	info, err := os.Stat(path)
	return err == nil && !info.IsDir()
}

// applyEnvironmentKeys fills the keys the file left empty from OSS_* (then
// ALIBABA_CLOUD_*) variables and records which source won. Values written in
// the file win over the environment.
func applyEnvironmentKeys(getenv Getenv, p *Profile) {
	fromFile, fromEnv := false, false
	fill := func(field *string, envs ...string) {
		if *field != "" {
			fromFile = true
			return
		}
		if value := firstEnv(getenv, envs...); value != "" {
			*field = value
			fromEnv = true
		}
	}
	fill(&p.AccessKeyID, EnvAccessKeyID, EnvAlibabaAccessKeyID)
	fill(&p.AccessKeySecret, EnvAccessKeySecret, EnvAlibabaAccessKeySecret)
	fill(&p.SessionToken, EnvSessionToken, EnvAlibabaSecurityToken)
	switch {
	case p.AccessKeyID == "" && p.AccessKeySecret == "":
		p.SessionToken = ""
		p.CredentialSource = ""
	case fromFile && fromEnv:
		p.CredentialSource = SourceMixed
	case fromEnv:
		p.CredentialSource = SourceEnvironment
	default:
		p.CredentialSource = SourceConfig
	}
}

// DescribeCredentials says in a few words where the profile's keys come
// from, without any secret: for `ossq config show` and the TUI header.
func (p Profile) DescribeCredentials() string {
	switch p.CredentialSource {
	case SourceAnonymous:
		return "anonymous (no credentials)"
	case SourceConfig:
		return "profile keys (" + maskKeyID(p.AccessKeyID) + ")"
	case SourceEnvironment:
		return "environment keys (" + maskKeyID(p.AccessKeyID) + ")"
	case SourceMixed:
		return "profile and environment keys (" + maskKeyID(p.AccessKeyID) + ")"
	case SourceRAMRole:
		from := "this profile's keys"
		if p.SourceProfile != "" {
			from = "profile " + p.SourceProfile
		}
		return "RAM role " + p.RoleARN + " (assumed with " + from + ")"
	case SourceOIDC:
		return "OIDC role " + p.RoleARN + " (token " + p.OIDCTokenFile + ")"
	case SourceECSRole:
		role := p.ECSRole
		if role == "" {
			role = "(the instance's own)"
		}
		return "ECS RAM role " + role
	case SourceURI:
		return "credentials URI " + p.CredentialsURI
	case SourceProcess:
		return "credential_process " + p.CredentialProcess
	case SourceAliyunCLI:
		name := p.AliyunCLIProfile
		if name == "" {
			name = "current"
		}
		return "aliyun CLI profile " + name + " (" + aliyunCLIConfigPath(orProcessEnv(p.getenv)) + ")"
	}
	return p.CredentialSource
}

// maskKeyID shows enough of an AccessKey ID to recognise it.
func maskKeyID(id string) string {
	if len(id) <= 8 {
		return strings.Repeat("*", len(id))
	}
	return id[:4] + "…" + id[len(id)-4:]
}

// RegionEndpoint is the endpoint of region: public, internal (VPC) or the
// global acceleration endpoint.
func RegionEndpoint(region string, internal, accelerate bool) string {
	switch {
	case accelerate:
		return "oss-accelerate.aliyuncs.com"
	case internal:
		return "oss-" + region + "-internal.aliyuncs.com"
	}
	return "oss-" + region + ".aliyuncs.com"
}

// InsecureWarning is the warning printed on every start while a profile
// turns certificate checks off; "" when it does not.
func (p Profile) InsecureWarning() string {
	if !p.InsecureSkipVerify {
		return ""
	}
	return fmt.Sprintf("profile %q has insecure_skip_verify = true: TLS certificates are NOT checked, "+
		"so anyone between you and %s can read and change your data and steal your keys", p.Name, p.Endpoint)
}

// resolveSourceProfile resolves the chain of source_profile names a RAM role
// is assumed with, refusing loops.
func (c *Config) resolveSourceProfile(p *Profile, seen map[string]bool) error {
	if p.CredentialSource != SourceRAMRole || p.SourceProfile == "" {
		return nil
	}
	if seen[p.SourceProfile] {
		return fmt.Errorf("profile %q: source_profile %q leads back to itself", p.Name, p.SourceProfile)
	}
	src, ok := c.Profiles[p.SourceProfile]
	if !ok {
		return c.missingProfile(p.SourceProfile)
	}
	c.resolveCredentials(&src)
	if src.CredentialSource == SourceAnonymous {
		return fmt.Errorf("profile %q: source_profile %q has no credentials to assume %s with", p.Name, src.Name, p.RoleARN)
	}
	seen[p.SourceProfile] = true
	if err := c.resolveSourceProfile(&src, seen); err != nil {
		return err
	}
	p.Source = &src
	return nil
}
