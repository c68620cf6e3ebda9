package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"ossq/transfer"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// Environment variables read by Load and Profile.
const (
	EnvConfig          = "OSSQ_CONFIG"
	EnvAccessKeyID     = "OSS_ACCESS_KEY_ID"
	EnvAccessKeySecret = "OSS_ACCESS_KEY_SECRET"
	EnvSessionToken    = "OSS_SESSION_TOKEN"
)

// Where a profile's credentials came from, for display.
const (
	SourceConfig      = "config"
	SourceEnvironment = "environment"
	SourceMixed       = "config+environment"
	SourceAnonymous   = "anonymous"
)

// DefaultProfileName is used when neither --profile nor default_profile names one.
const DefaultProfileName = "default"

// Limits the validation enforces beyond OSS's own (ossname) and the
// engine's (transfer).
const (
	MaxActive         = 32
	MaxRetries        = 20
	MinBandwidthLimit = 1 << 10
)

// Config is the loaded file (or the defaults when there is none).
type Config struct {
	// Path is the file that was read; "" when none exists (defaults only).
	Path           string
	DefaultProfile string
	Profiles       map[string]Profile
	Transfer       Transfer
	// Filters are folder jobs' default filters ([filters], filters.go).
	Filters Filters
	// Warnings are problems worth telling the user that do not stop ossq,
	// e.g. a config file holding a secret that others can read.
	Warnings []string

	// searched is the path looked at when no file was found, for messages.
	searched string
	// getenv is the environment Load was given: profiles are completed from it.
	getenv Getenv
}

// env is the environment the config was loaded with (the process's for a
// Config made by Parse or by hand).
func (c *Config) env() Getenv { return orProcessEnv(c.getenv) }

// Profile is one way to reach OSS.
type Profile struct {
	Name             string
	Endpoint         string // "oss-cn-hangzhou.aliyuncs.com", "http://127.0.0.1:9000"
	Region           string // "cn-hangzhou"; needed for signature v4
	SignatureVersion string // "v4" (default) or "v1"
	UseCName         bool
	UsePathStyle     bool
	AccessKeyID      string
	AccessKeySecret  string
	SessionToken     string
	Anonymous        bool
	Proxy            string
	ConnectTimeout   time.Duration
	ReadTimeout      time.Duration
	Bucket           string // the bucket the browser opens at start

	ProfileCredentials
	ProfileNetwork

	// CredentialSource says where the credentials come from: SourceConfig,
	// SourceEnvironment, SourceMixed, SourceAnonymous or another source's
	// name (credentials.go). Set by Config.Profile.
	CredentialSource string
}

// Transfer holds the engine's settings.
type Transfer struct {
	PartSize           int64
	Parallel           int
	MaxActive          int
	FileParallel       int // files in flight per folder job
	MultipartThreshold int64
	CheckpointDir      string
	StateDir           string
	DownloadDir        string // "" means the current directory
	BandwidthLimit     int64  // bytes per second, 0 = none
	Retries            int
	OnExists           string // ask | overwrite | skip | rename
	ResumeOnStart      bool
	// Compare is folder jobs' default comparison: "update", "checksum" or
	// "" (none); sync compares by "update" when it is "".
	Compare string
}

// OnExistsPolicies are the policies on_exists accepts.
var OnExistsPolicies = []string{"ask", "overwrite", "skip", "rename"}

// DefaultTransfer is the transfer section when the file says nothing. The
// directories follow XDG_STATE_HOME as it is now.
func DefaultTransfer() Transfer { return defaultTransfer(os.Getenv) }

func defaultTransfer(getenv Getenv) Transfer {
	return Transfer{
		PartSize:           transfer.DefaultPartSize,
		Parallel:           transfer.DefaultParallel,
		MaxActive:          transfer.DefaultMaxActive,
		FileParallel:       transfer.DefaultFileParallel,
		MultipartThreshold: transfer.DefaultMultipartThreshold,
		CheckpointDir:      defaultCheckpointDir(getenv),
		StateDir:           defaultStateDir(getenv),
		BandwidthLimit:     0,
		Retries:            transfer.DefaultRetries,
		OnExists:           "ask",
		ResumeOnStart:      true,
	}
}

// DefaultProfile is a profile's values before the file or environment fill it.
func DefaultProfile(name string) Profile {
	return Profile{
		Name:             name,
		SignatureVersion: "v4",
		ConnectTimeout:   5 * time.Second,  // the SDK's default
		ReadTimeout:      10 * time.Second, // the SDK's default
	}
}

// Error is a problem at a place in the config file.
type Error struct {
	File      string
	Line, Col int // 0 when unknown
	Key       string
	Msg       string
}

func (e *Error) Error() string {
	switch {
	case e.Line > 0 && e.Col > 0:
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	default:
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
}

// Load finds and reads the config: explicitPath if set, else $OSSQ_CONFIG,
// else DefaultConfigPath(). A missing default file is fine (defaults only);
// a missing explicit or $OSSQ_CONFIG file is an error. All problems in the
// file are reported together, each with file:line:col. Every environment
// variable (OSSQ_CONFIG, XDG_*, HOME, OSS_* credentials) is read through
// getenv, now and when a profile is resolved; nil means the process's.
func Load(explicitPath string, getenv Getenv) (*Config, error) {
	getenv = orProcessEnv(getenv)
	path, explicit := explicitPath, explicitPath != ""
	if !explicit {
		if env := getenv(EnvConfig); env != "" {
			path, explicit = env, true
		} else {
			path = defaultConfigPath(getenv)
		}
	}
	cfg := &Config{Profiles: map[string]Profile{}, Transfer: defaultTransfer(getenv), searched: path, getenv: getenv}
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && !explicit {
			return cfg, nil
		}
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("config file %s does not exist", path)
		}
		return nil, fmt.Errorf("reading config: %w", err)
	}
	cfg.Path = path
	if err := cfg.parse(path, string(data)); err != nil {
		return nil, err
	}
	if warning := permissionWarning(path, cfg); warning != "" {
		cfg.Warnings = append(cfg.Warnings, warning)
	}
	return cfg, nil
}

// Parse reads config text as if it came from file path (used in messages and
// to resolve relative directories). It does not touch the disk.
func Parse(path, text string) (*Config, error) {
	cfg := &Config{Path: path, Profiles: map[string]Profile{}, Transfer: DefaultTransfer(), searched: path}
	if err := cfg.parse(path, text); err != nil {
		return nil, err
	}
	return cfg, nil
}

func (c *Config) parse(path, text string) error {
	var raw map[string]any
	if _, err := toml.Decode(text, &raw); err != nil {
		var parseErr toml.ParseError
		if errors.As(err, &parseErr) {
			msg := "syntax error: " + parseErr.Message
			// The parser quotes the text it choked on; on a secret's line
			// that could be part of the secret, so say less.
			if lineHoldsSecret(text, parseErr.Position.Line) {
				msg = "syntax error in a secret's value (not shown); write it as a quoted string"
			} else if lineHoldsURL(text, parseErr.Position.Line) {
				msg = redactUserinfoInText(msg)
			}
			return &Error{File: path, Line: parseErr.Position.Line, Col: parseErr.Position.Col,
				Key: parseErr.LastKey, Msg: msg}
		}
		return &Error{File: path, Msg: err.Error()}
	}
	d := &decoder{file: path, dir: filepath.Dir(path), positions: keyPositions(text), getenv: c.env()}
	d.decode(c, raw)
	if len(d.errs) == 0 {
		return nil
	}
	sort.SliceStable(d.errs, func(i, j int) bool {
		if d.errs[i].Line != d.errs[j].Line {
			return d.errs[i].Line < d.errs[j].Line
		}
		return d.errs[i].Col < d.errs[j].Col
	})
	errs := make([]error, len(d.errs))
	for i, e := range d.errs {
		errs[i] = e
	}
	return errors.Join(errs...)
}

// lineHoldsSecret reports whether 1-based line n assigns a secret key.
func lineHoldsSecret(text string, n int) bool {
	lines := strings.Split(text, "\n")
	if n < 1 || n > len(lines) {
		return false
	}
	path, rest, ok := parseKey(strings.TrimLeft(lines[n-1], " \t"))
	return ok && secretKeys[path[len(path)-1]] && strings.HasPrefix(strings.TrimLeft(rest, " \t"), "=")
}

// Profile returns the named profile with environment credentials applied.
// name "" means default_profile, else "default". With no profiles in the
// file at all, "default" is an empty profile filled from the environment.
func (c *Config) Profile(name string) (Profile, error) {
	if name == "" {
		name = c.DefaultProfile
	}
	if name == "" {
		name = DefaultProfileName
	}
	profile, ok := c.Profiles[name]
	if !ok {
		if len(c.Profiles) > 0 || name != DefaultProfileName {
			return Profile{}, c.missingProfile(name)
		}
		profile = DefaultProfile(name)
	}
	profile.File, profile.getenv = c.Path, c.getenv
	c.resolveCredentials(&profile)
	if err := c.resolveSourceProfile(&profile, map[string]bool{name: true}); err != nil {
		return Profile{}, err
	}
	return profile, nil
}

// Reload reads the profile's file again, in the environment it was first
// resolved in, and returns the profile of the same name as it is now.
func (p Profile) Reload() (Profile, error) {
	cfg, err := Load(p.File, p.getenv)
	if err != nil {
		return Profile{}, err
	}
	return cfg.Profile(p.Name)
}

func (c *Config) missingProfile(name string) error {
	if len(c.Profiles) == 0 {
		where := c.Path
		if where == "" {
			where = c.searched + " (not found)"
		}
		return fmt.Errorf("profile %q not found: the config %s defines no profiles", name, where)
	}
	names := c.ProfileNames()
	return fmt.Errorf("profile %q not found in %s; available: %s (choose one with --profile or default_profile)",
		name, c.Path, strings.Join(names, ", "))
}

// ProfileNames lists the profiles in the file, sorted.
func (c *Config) ProfileNames() []string {
	names := make([]string, 0, len(c.Profiles))
	for name := range c.Profiles {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// Check reports what stops a profile from being used to connect: missing
// endpoint and region, half a key pair, signature v4 without a region, or a
// credential source without what it needs. Call it after command-line
// overrides (e.g. --endpoint) are applied.
func (p Profile) Check() error {
	if p.Endpoint == "" && p.Region == "" {
		return fmt.Errorf("profile %q has no endpoint or region: set region (or endpoint) in the config, "+
			"pass --region or --endpoint, or set %s", p.Name, EnvRegion)
	}
	keysUsed := true // the profile's own key pair signs (or signs AssumeRole)
	switch p.CredentialSource {
	case SourceOIDC, SourceECSRole, SourceURI, SourceProcess, SourceAliyunCLI:
		keysUsed = false
	case SourceRAMRole:
		keysUsed = p.SourceProfile == ""
	}
	if !p.Anonymous && keysUsed && (p.AccessKeyID == "") != (p.AccessKeySecret == "") {
		missing, env := "access_key_secret", EnvAccessKeySecret
		if p.AccessKeyID == "" {
			missing, env = "access_key_id", EnvAccessKeyID
		}
		return fmt.Errorf("profile %q: %s is missing (set it in the config or %s)", p.Name, missing, env)
	}
	if p.SignatureVersion != "v1" && p.Region == "" {
		return fmt.Errorf("profile %q: signature v4 needs a region, and the endpoint %s does not name one "+
			"(only oss-REGION.aliyuncs.com endpoints do): pass --region, set region in [profiles.%s] or set %s "+
			"(an `ossq serve` prints its region; it is cn-hangzhou unless started with --region)",
			p.Name, p.Endpoint, p.Name, EnvRegion)
	}
	switch p.CredentialSource {
	case SourceEnvironment:
		if p.AccessKeyID == "" && p.AccessKeySecret == "" {
			return fmt.Errorf("profile %q takes its keys from the environment, but neither %s and %s nor %s and %s are set",
				p.Name, EnvAccessKeyID, EnvAccessKeySecret, EnvAlibabaAccessKeyID, EnvAlibabaAccessKeySecret)
		}
	case SourceRAMRole:
		if p.RoleARN == "" {
			return fmt.Errorf("profile %q: a RAM role needs role_arn (or %s)", p.Name, EnvRoleARN)
		}
		if p.SourceProfile == "" && p.AccessKeyID == "" {
			return fmt.Errorf("profile %q: assuming %s needs keys to sign with: access_key_id and access_key_secret, "+
				"or source_profile naming a profile that has them", p.Name, p.RoleARN)
		}
	case SourceOIDC:
		if p.RoleARN == "" || p.OIDCProviderARN == "" || p.OIDCTokenFile == "" {
			return fmt.Errorf("profile %q: OIDC needs role_arn, oidc_provider_arn and oidc_token_file (or %s, %s, %s)",
				p.Name, EnvRoleARN, EnvOIDCProviderARN, EnvOIDCTokenFile)
		}
	}
	return nil
}

// RegionFromEndpoint derives the region from an Alibaba Cloud endpoint such as
// "oss-cn-hangzhou.aliyuncs.com" or "https://oss-cn-hangzhou-internal.aliyuncs.com";
// "" when the endpoint does not say.
func RegionFromEndpoint(endpoint string) string {
	host := endpoint
	if i := strings.Index(host, "://"); i >= 0 {
		host = host[i+3:]
	}
	host, _, _ = strings.Cut(host, "/")
	label, domain, ok := strings.Cut(host, ".")
	if !ok || !strings.HasPrefix(domain, "aliyuncs.com") || !strings.HasPrefix(label, "oss-") {
		return ""
	}
	region := strings.TrimPrefix(label, "oss-")
	region = strings.TrimSuffix(region, "-internal")
	if region == "accelerate" || region == "accelerate-overseas" {
		return ""
	}
	return region
}

// permissionWarning flags a file that holds a secret and that group or others
// can read.
func permissionWarning(path string, cfg *Config) string {
	if runtime.GOOS == "windows" {
		return ""
	}
	var secretKeys []string
	for _, name := range cfg.ProfileNames() {
		p := cfg.Profiles[name]
		if p.AccessKeySecret != "" {
			secretKeys = append(secretKeys, "profiles."+name+".access_key_secret")
		}
		if p.SessionToken != "" {
			secretKeys = append(secretKeys, "profiles."+name+".session_token")
		}
	}
	if len(secretKeys) == 0 {
		return ""
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm()&0o077 == 0 {
		return ""
	}
	return fmt.Sprintf("%s holds secrets (%s) but is readable by others (mode %04o); run: chmod 600 %s",
		path, strings.Join(secretKeys, ", "), info.Mode().Perm(), path)
}
