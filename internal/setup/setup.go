// Package setup turns the loaded configuration into what the engine needs:
// the profile with command-line overrides applied, the SDK client options and
// the engine options. main (the TUI) and internal/cli (get/put/ls) share it so
// both front ends reach OSS the same way.
package setup

import (
	"ossq/internal/config"
	"ossq/transfer"
)

// Overrides are the connection flags every front end accepts.
type Overrides struct {
	ConfigPath string // --config
	Profile    string // --profile
	Endpoint   string // --endpoint
	Region     string // --region
}

// Connection is a profile ready to use.
type Connection struct {
	Config  *config.Config
	Profile config.Profile
}

// Resolve loads the config, picks the profile and applies the overrides,
// then checks that the result can reach OSS.
func Resolve(o Overrides) (Connection, error) {
	cfg, err := config.Load(o.ConfigPath)
	if err != nil {
		return Connection{}, err
	}
	profile, err := cfg.Profile(o.Profile)
	if err != nil {
		return Connection{}, err
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
	if profile.Endpoint == "" && profile.Region != "" {
		profile.Endpoint = "oss-" + profile.Region + ".aliyuncs.com"
	}
	if err := profile.Check(); err != nil {
		return Connection{}, err
	}
	return Connection{Config: cfg, Profile: profile}, nil
}

// ClientOptions maps a profile onto the SDK client's settings.
func ClientOptions(p config.Profile) transfer.ClientOptions {
	return transfer.ClientOptions{
		Endpoint:         p.Endpoint,
		Region:           p.Region,
		SignatureVersion: p.SignatureVersion,
		UseCName:         p.UseCName,
		UsePathStyle:     p.UsePathStyle,
		AccessKeyID:      p.AccessKeyID,
		AccessKeySecret:  p.AccessKeySecret,
		SessionToken:     p.SessionToken,
		Anonymous:        p.Anonymous,
		Proxy:            p.Proxy,
		ConnectTimeout:   p.ConnectTimeout,
		ReadTimeout:      p.ReadTimeout,
	}
}

// Store builds the SDK-backed store for a profile.
func Store(p config.Profile) (transfer.Store, error) {
	return transfer.NewOSSStore(ClientOptions(p))
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
	return opts
}
