package config

import (
	"fmt"
	"net/url"
	"ossq/internal/ossname"
	"ossq/internal/units"
	"ossq/transfer"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// decoder walks the generic TOML tree against the schema below, so unknown
// keys, wrong types and out-of-range values all get one uniform message with
// file:line:col, and every problem in the file is reported at once.
type decoder struct {
	file      string
	dir       string // relative directories are resolved against the file's folder
	positions filePositions
	errs      []*Error
	getenv    Getenv // the environment Load was given
}

func (d *decoder) fail(path []string, format string, args ...any) {
	e := &Error{File: d.file, Key: strings.Join(path, "."), Msg: fmt.Sprintf(format, args...)}
	if pos, ok := d.positions.lookup(path); ok {
		e.Line, e.Col = pos.Line, pos.Col
	}
	d.errs = append(d.errs, e)
}

// field decodes one key's value; it returns a message (no location) on error.
type field[T any] func(target *T, value any, d *decoder) string

// secretKeys never have their values echoed in messages.
var secretKeys = map[string]bool{"access_key_secret": true, "session_token": true}

var topLevelKeys = []string{"default_profile", "filters", "profiles", "transfer"}

func (d *decoder) decode(cfg *Config, raw map[string]any) {
	for _, key := range sortedKeys(raw) {
		value := raw[key]
		path := []string{key}
		switch key {
		case "default_profile":
			s, ok := value.(string)
			if !ok {
				d.fail(path, "default_profile must be a string, not %s", typeName(value))
				continue
			}
			cfg.DefaultProfile = s
		case "profiles":
			table, ok := value.(map[string]any)
			if !ok {
				d.fail(path, "profiles must be a table of [profiles.NAME] sections, not %s", typeName(value))
				continue
			}
			for _, name := range sortedKeys(table) {
				profilePath := []string{"profiles", name}
				section, ok := table[name].(map[string]any)
				if !ok {
					d.fail(profilePath, "profiles.%s must be a [profiles.%s] section, not %s", name, name, typeName(table[name]))
					continue
				}
				if name == "" {
					d.fail(profilePath, "a profile needs a name")
					continue
				}
				profile := DefaultProfile(name)
				decodeSection(d, &profile, section, profilePath, profileFields)
				if profile.UseCName && profile.UsePathStyle {
					d.fail(append(profilePath, "use_path_style"), "use_cname and use_path_style cannot both be true")
				}
				if profile.Region == "" {
					profile.Region = RegionFromEndpoint(profile.Endpoint)
				}
				d.checkCredentialKeys(profile, profilePath)
				cfg.Profiles[name] = profile
			}
			d.checkSourceProfiles(cfg)
		case "transfer":
			section, ok := value.(map[string]any)
			if !ok {
				d.fail(path, "transfer must be a [transfer] section, not %s", typeName(value))
				continue
			}
			stateDirSet := section["state_dir"] != nil
			checkpointDirSet := section["checkpoint_dir"] != nil
			decodeSection(d, &cfg.Transfer, section, path, transferFields)
			// Checkpoints follow a moved state dir unless placed explicitly.
			if stateDirSet && !checkpointDirSet {
				cfg.Transfer.CheckpointDir = filepath.Join(cfg.Transfer.StateDir, "checkpoints")
			}
		case "filters":
			d.decodeFilters(cfg, value, path)
		default:
			d.unknown(path, topLevelKeys)
		}
	}
	// default_profile = "default" with no profiles is the implicit default
	// profile (environment credentials), not a dangling name.
	implicitDefault := cfg.DefaultProfile == DefaultProfileName && len(cfg.Profiles) == 0
	if cfg.DefaultProfile != "" && !implicitDefault && len(d.errs) == 0 {
		if _, ok := cfg.Profiles[cfg.DefaultProfile]; !ok {
			d.fail([]string{"default_profile"}, "default_profile %q is not defined; profiles: %s",
				cfg.DefaultProfile, orNone(cfg.ProfileNames()))
		}
	}
}

func decodeSection[T any](d *decoder, target *T, section map[string]any, path []string, fields map[string]field[T]) {
	for _, key := range sortedKeys(section) {
		keyPath := append(slices.Clone(path), key)
		decodeField, known := fields[key]
		if !known {
			d.unknown(keyPath, sortedKeys(fields))
			continue
		}
		if msg := decodeField(target, section[key], d); msg != "" {
			shown := showValue(section[key])
			if secretKeys[key] {
				shown = "(secret, not shown)"
			} else if urlKeys[key] {
				shown = RedactUserinfo(shown)
			}
			d.fail(keyPath, "%s = %s: %s", strings.Join(keyPath, "."), shown, msg)
		}
	}
}

func (d *decoder) unknown(path []string, known []string) {
	key := path[len(path)-1]
	msg := fmt.Sprintf("unknown key %q", strings.Join(path, "."))
	if suggestion := closest(key, known); suggestion != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", suggestion)
	} else {
		msg += fmt.Sprintf(" (known here: %s)", strings.Join(known, ", "))
	}
	d.fail(path, "%s", msg)
}

var profileFields = map[string]field[Profile]{
	"endpoint": func(p *Profile, v any, _ *decoder) string {
		return setString(&p.Endpoint, v, checkEndpoint)
	},
	"region": func(p *Profile, v any, _ *decoder) string { return setString(&p.Region, v, nil) },
	"signature_version": func(p *Profile, v any, _ *decoder) string {
		return setString(&p.SignatureVersion, v, oneOf("v4", "v1"))
	},
	"use_cname":         func(p *Profile, v any, _ *decoder) string { return setBool(&p.UseCName, v) },
	"use_path_style":    func(p *Profile, v any, _ *decoder) string { return setBool(&p.UsePathStyle, v) },
	"access_key_id":     func(p *Profile, v any, _ *decoder) string { return setString(&p.AccessKeyID, v, nil) },
	"access_key_secret": func(p *Profile, v any, _ *decoder) string { return setString(&p.AccessKeySecret, v, nil) },
	"session_token":     func(p *Profile, v any, _ *decoder) string { return setString(&p.SessionToken, v, nil) },
	"anonymous":         func(p *Profile, v any, _ *decoder) string { return setBool(&p.Anonymous, v) },
	"proxy":             func(p *Profile, v any, _ *decoder) string { return setString(&p.Proxy, v, checkProxy) },
	"connect_timeout":   func(p *Profile, v any, _ *decoder) string { return setDuration(&p.ConnectTimeout, v) },
	"read_timeout":      func(p *Profile, v any, _ *decoder) string { return setDuration(&p.ReadTimeout, v) },
	"bucket":            func(p *Profile, v any, _ *decoder) string { return setString(&p.Bucket, v, checkBucket) },
}

var transferFields = map[string]field[Transfer]{
	"part_size": func(t *Transfer, v any, _ *decoder) string {
		return setSize(&t.PartSize, v, ossname.MinPartSize, ossname.MaxPartSize, false)
	},
	"parallel": func(t *Transfer, v any, _ *decoder) string {
		return setInt(&t.Parallel, v, ossname.MinParallel, ossname.MaxParallel)
	},
	"max_active": func(t *Transfer, v any, _ *decoder) string { return setInt(&t.MaxActive, v, 1, MaxActive) },
	"file_parallel": func(t *Transfer, v any, _ *decoder) string {
		return setInt(&t.FileParallel, v, 1, transfer.MaxFileParallel)
	},
	"multipart_threshold": func(t *Transfer, v any, _ *decoder) string {
		return setSize(&t.MultipartThreshold, v, 0, ossname.MaxPutSize, false)
	},
	"checkpoint_dir": func(t *Transfer, v any, d *decoder) string { return setDir(&t.CheckpointDir, v, d, false) },
	"state_dir":      func(t *Transfer, v any, d *decoder) string { return setDir(&t.StateDir, v, d, false) },
	"download_dir":   func(t *Transfer, v any, d *decoder) string { return setDir(&t.DownloadDir, v, d, true) },
	"bandwidth_limit": func(t *Transfer, v any, _ *decoder) string {
		return setSize(&t.BandwidthLimit, v, MinBandwidthLimit, 1<<62, true)
	},
	"retries": func(t *Transfer, v any, _ *decoder) string { return setInt(&t.Retries, v, 0, MaxRetries) },
	"on_exists": func(t *Transfer, v any, _ *decoder) string {
		return setString(&t.OnExists, v, oneOf(OnExistsPolicies...))
	},
	"resume_on_start": func(t *Transfer, v any, _ *decoder) string { return setBool(&t.ResumeOnStart, v) },
	"compare": func(t *Transfer, v any, _ *decoder) string {
		return setString(&t.Compare, v, oneOf(CompareModes...))
	},
}

func setString(target *string, v any, check func(string) string) string {
	s, ok := v.(string)
	if !ok {
		return "must be a string, not " + typeName(v)
	}
	if check != nil {
		if msg := check(s); msg != "" {
			return msg
		}
	}
	*target = s
	return ""
}

func setBool(target *bool, v any) string {
	b, ok := v.(bool)
	if !ok {
		return "must be true or false, not " + typeName(v)
	}
	*target = b
	return ""
}

func setInt(target *int, v any, lo, hi int) string {
	n, ok := v.(int64)
	if !ok {
		return fmt.Sprintf("must be a whole number between %d and %d, not %s", lo, hi, typeName(v))
	}
	if n < int64(lo) || n > int64(hi) {
		return fmt.Sprintf("out of range: allowed %d to %d", lo, hi)
	}
	*target = int(n)
	return ""
}

// setSize takes a human size string or a plain integer of bytes. With
// zeroMeansNone, 0 is accepted below lo (e.g. bandwidth_limit = "0").
func setSize(target *int64, v any, lo, hi int64, zeroMeansNone bool) string {
	var n int64
	switch value := v.(type) {
	case int64:
		n = value
	case string:
		parsed, err := units.ParseSize(value)
		if err != nil {
			return err.Error()
		}
		n = parsed
	default:
		return "must be a size such as \"8MiB\" or a number of bytes, not " + typeName(v)
	}
	if n == 0 && zeroMeansNone {
		*target = 0
		return ""
	}
	if n < lo || n > hi {
		if zeroMeansNone {
			return fmt.Sprintf("out of range: allowed 0 (no limit) or at least %s", units.FormatSize(lo))
		}
		return fmt.Sprintf("out of range: allowed %s to %s", sizeBound(lo), units.FormatSize(hi))
	}
	*target = n
	return ""
}

func sizeBound(n int64) string {
	if n == 0 {
		return "0"
	}
	return units.FormatSize(n)
}

func setDuration(target *time.Duration, v any) string {
	s, ok := v.(string)
	if !ok {
		return "must be a duration string such as \"5s\" or \"1m30s\", not " + typeName(v)
	}
	dur, err := time.ParseDuration(s)
	if err != nil {
		return "not a duration (use e.g. \"5s\", \"500ms\", \"1m\")"
	}
	if dur <= 0 || dur > time.Hour {
		return "out of range: allowed more than 0s and at most 1h"
	}
	*target = dur
	return ""
}

func setDir(target *string, v any, d *decoder, emptyAllowed bool) string {
	s, ok := v.(string)
	if !ok {
		return "must be a path string, not " + typeName(v)
	}
	if s == "" && !emptyAllowed {
		return "must not be empty (leave the key out for the default)"
	}
	*target = ExpandPath(s, d.dir)
	return ""
}

func oneOf(choices ...string) func(string) string {
	return func(s string) string {
		if slices.Contains(choices, s) {
			return ""
		}
		return "must be one of " + strings.Join(quoteAll(choices), ", ")
	}
}

func checkEndpoint(s string) string {
	if s == "" {
		return ""
	}
	if strings.ContainsAny(s, " \t\n") {
		return "must not contain spaces"
	}
	raw := s
	if !strings.Contains(raw, "://") {
		raw = "http://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "not a host name or URL (e.g. \"oss-cn-hangzhou.aliyuncs.com\" or \"http://127.0.0.1:9000\")"
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "scheme must be http or https"
	}
	return ""
}

func checkProxy(s string) string {
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return "not a URL (e.g. \"http://proxy.example:3128\")"
	}
	switch u.Scheme {
	case "http", "https", "socks5", "socks5h":
		return ""
	}
	return "scheme must be http, https or socks5"
}

// checkBucket applies OSS bucket naming; "" (no bucket) is fine.
func checkBucket(s string) string {
	if s == "" {
		return ""
	}
	if err := ossname.CheckBucket(s); err != nil {
		return err.Error()
	}
	return ""
}

func typeName(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case bool:
		return "a boolean"
	case map[string]any:
		return "a table"
	case []any, []map[string]any:
		return "an array"
	default:
		return "a date/time"
	}
}

func showValue(v any) string {
	switch value := v.(type) {
	case string:
		return strconv.Quote(value)
	case map[string]any:
		return "{…}"
	case []any, []map[string]any:
		return "[…]"
	default:
		return fmt.Sprint(value)
	}
}

func quoteAll(items []string) []string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = strconv.Quote(s)
	}
	return out
}

func orNone(items []string) string {
	if len(items) == 0 {
		return "none"
	}
	return strings.Join(items, ", ")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// closest suggests a known key within edit distance 2 of a misspelt one.
func closest(key string, known []string) string {
	best, bestDistance := "", 3
	for _, candidate := range known {
		if dist := editDistance(key, candidate); dist < bestDistance {
			best, bestDistance = candidate, dist
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
