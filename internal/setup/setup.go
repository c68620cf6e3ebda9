package setup

import (
	"fmt"
	"strings"

	"ossq/internal/config"
	"ossq/transfer"
)

// Overrides are the connection flags every front end accepts.
type Overrides struct {
	ConfigPath string // --config
	Profile    string // --profile
	Endpoint   string // --endpoint
	Region     string // --region
	// Getenv is the environment the config is read in (OSSQ_CONFIG, XDG_*,
	// OSS_* keys); nil means the process's.
	Getenv config.Getenv
}

// Connection is a profile ready to use.
type Connection struct {
	Config  *config.Config
	Profile config.Profile
}

// Resolve loads the config, picks the profile and applies the overrides,
// then checks that the result can reach OSS. A profile that turns TLS checks
// off adds a warning to Config.Warnings, so every start shows it.
func Resolve(o Overrides) (Connection, error) {
	cfg, err := config.Load(o.ConfigPath, o.Getenv)
	if err != nil {
		return Connection{}, err
	}
	profile, err := resolveProfile(cfg, o.Profile, o)
	if err != nil {
		return Connection{}, err
	}
	if warning := profile.InsecureWarning(); warning != "" {
		cfg.Warnings = append(cfg.Warnings, warning)
	}
	return Connection{Config: cfg, Profile: profile}, nil
}

// resolveProfile is the named profile with the overrides applied, its
// endpoint derived from the region where it has none, and checked.
func resolveProfile(cfg *config.Config, name string, o Overrides) (config.Profile, error) {
	profile, err := cfg.Profile(name)
	if err != nil {
		return config.Profile{}, err
	}
	if o.Endpoint != "" {
		profile.Endpoint = o.Endpoint
		if o.Region == "" && profile.Region == "" {
			profile.Region = config.RegionFromEndpoint(o.Endpoint)
		}
	}
	if o.Region != "" {
		profile.Region = o.Region
	}
	if profile.Region == "" && profile.CredentialSource == config.SourceAliyunCLI {
		// The CLI's profile names its region; a CLI user needs no more.
		if cli, err := config.LoadAliyunCLIConfig(); err == nil {
			if cp, err := cli.Profile(profile.AliyunCLIProfile); err == nil {
				profile.Region = cp.RegionID
			}
		}
	}
	if profile.Endpoint == "" && profile.Region != "" {
		profile.Endpoint = config.RegionEndpoint(profile.Region, profile.Internal, profile.Accelerate)
	}
	if err := profile.Check(); err != nil {
		return config.Profile{}, err
	}
	return profile, nil
}

// StoreForProfile builds the store of profile name as the config defines it
// (no command-line overrides), e.g. for a queued job that remembers its
// profile. A profile that no longer exists is an error naming the others.
func StoreForProfile(cfg *config.Config, name string) (transfer.Store, error) {
	profile, err := resolveProfile(cfg, name, Overrides{})
	if err != nil {
		return nil, err
	}
	return Store(profile)
}

// ClientOptions maps a profile onto the SDK client's settings, without its
// credential source (Store adds that).
func ClientOptions(p config.Profile) transfer.ClientOptions {
	o := transfer.ClientOptions{
		Endpoint:           p.Endpoint,
		Region:             p.Region,
		SignatureVersion:   p.SignatureVersion,
		UseCName:           p.UseCName,
		UsePathStyle:       p.UsePathStyle,
		AccessKeyID:        p.AccessKeyID,
		AccessKeySecret:    p.AccessKeySecret,
		SessionToken:       p.SessionToken,
		Anonymous:          p.Anonymous,
		Proxy:              p.Proxy,
		ConnectTimeout:     p.ConnectTimeout,
		ReadTimeout:        p.ReadTimeout,
		CredentialSource:   p.CredentialSource,
		CAFile:             p.CAFile,
		InsecureSkipVerify: p.InsecureSkipVerify,
		RegionFromEndpoint: config.RegionFromEndpoint,
	}
	if config.RegionFromEndpoint(p.Endpoint) != "" || isAccelerateEndpoint(p.Endpoint) {
		scheme := ""
		if strings.HasPrefix(p.Endpoint, "http://") {
			scheme = "http://"
		}
		internal, accelerate := p.Internal || strings.Contains(p.Endpoint, "-internal."), p.Accelerate || isAccelerateEndpoint(p.Endpoint)
		o.EndpointForRegion = func(region string) string {
			return scheme + config.RegionEndpoint(region, internal, accelerate)
		}
	}
	return o
}

func isAccelerateEndpoint(endpoint string) bool {
	return strings.Contains(endpoint, "oss-accelerate.aliyuncs.com") || strings.Contains(endpoint, "oss-accelerate-overseas.aliyuncs.com")
}

// Store builds the SDK-backed store for a resolved profile, with its
// credential source.
func Store(p config.Profile) (transfer.Store, error) {
	o := ClientOptions(p)
	if !p.Anonymous {
		fetch, err := credentialsFor(p, o, 0)
		if err != nil {
			return nil, fmt.Errorf("profile %q: %w", p.Name, err)
		}
		o.Credentials = fetch
	}
	return transfer.NewOSSStore(o)
}

// EngineOptions maps the [transfer] section onto the engine's options.
func EngineOptions(t config.Transfer) transfer.Options {
	opts := transfer.Options{
		PartSize:           t.PartSize,
		Parallel:           t.Parallel,
		MaxActive:          t.MaxActive,
		FileParallel:       t.FileParallel,
		MultipartThreshold: t.MultipartThreshold,
		StateDir:           t.StateDir,
		CheckpointDir:      t.CheckpointDir,
		BandwidthLimit:     t.BandwidthLimit,
		Retries:            t.Retries,
		OnExists:           transfer.OnExists(t.OnExists),
		ResumeOnStart:      t.ResumeOnStart,
	}
	if t.Retries == 0 {
		opts.Retries = -1 // the engine reads 0 as "its default"; the config's 0 means none
	}
	if t.MultipartThreshold == 0 {
		// Likewise: the config's 0 means nothing is below the threshold, so
		// every non-empty file goes in parts.
		opts.MultipartThreshold = 1
	}
	return opts
}
