package config

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// isolate points every lookup the package does at empty temp folders and
// clears the credential variables, so the developer's own setup never leaks in.
func isolate(t *testing.T) (configHome, stateHome string) {
	t.Helper()
	configHome, stateHome = t.TempDir(), t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", configHome)
	t.Setenv("XDG_STATE_HOME", stateHome)
	t.Setenv(EnvConfig, "")
	t.Setenv(EnvAccessKeyID, "")
	t.Setenv(EnvAccessKeySecret, "")
	t.Setenv(EnvSessionToken, "")
	return configHome, stateHome
}

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// configErrors returns the located errors inside a (joined) Load error.
func configErrors(t *testing.T, err error) []*Error {
	t.Helper()
	if err == nil {
		t.Fatal("want an error, got none")
	}
	var out []*Error
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range joined.Unwrap() {
			var ce *Error
			if errors.As(e, &ce) {
				out = append(out, ce)
			}
		}
		return out
	}
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("error %q is not a *config.Error", err)
	}
	return []*Error{ce}
}

func TestNoFileGivesDefaults(t *testing.T) {
	_, stateHome := isolate(t)
	cfg, err := Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Path != "" {
		t.Errorf("Path = %q, want empty (no file)", cfg.Path)
	}
	want := Transfer{
		PartSize: 8 << 20, Parallel: 8, MaxActive: 3, FileParallel: 16, MultipartThreshold: 16 << 20,
		CheckpointDir: filepath.Join(stateHome, "ossq", "checkpoints"),
		StateDir:      filepath.Join(stateHome, "ossq"),
		Retries:       5, OnExists: "ask", ResumeOnStart: true,
	}
	if cfg.Transfer != want {
		t.Errorf("Transfer = %+v\nwant       %+v", cfg.Transfer, want)
	}
	p, err := cfg.Profile("")
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "default" || p.SignatureVersion != "v4" || p.CredentialSource != SourceAnonymous || !p.Anonymous {
		t.Errorf("default profile = %+v", p)
	}
}

func TestLookupOrder(t *testing.T) {
	configHome, _ := isolate(t)
	xdgPath := filepath.Join(configHome, "ossq", "config.toml")
	if err := os.MkdirAll(filepath.Dir(xdgPath), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(xdgPath, []byte("default_profile = \"xdg\"\n[profiles.xdg]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	envPath := writeConfig(t, "default_profile = \"env\"\n[profiles.env]\n")
	explicitPath := writeConfig(t, "default_profile = \"explicit\"\n[profiles.explicit]\n")

	check := func(explicit, wantPath, wantDefault string) {
		t.Helper()
		cfg, err := Load(explicit, nil)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Path != wantPath || cfg.DefaultProfile != wantDefault {
			t.Errorf("Load(%q) read %q (default_profile %q), want %q (%q)", explicit, cfg.Path, cfg.DefaultProfile, wantPath, wantDefault)
		}
	}
	check("", xdgPath, "xdg")
	t.Setenv(EnvConfig, envPath)
	check("", envPath, "env")
	check(explicitPath, explicitPath, "explicit")
}

func TestMissingExplicitFileIsAnError(t *testing.T) {
	isolate(t)
	missing := filepath.Join(t.TempDir(), "nope.toml")
	if _, err := Load(missing, nil); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("Load(missing) error = %v, want one naming %s", err, missing)
	}
	t.Setenv(EnvConfig, missing)
	if _, err := Load("", nil); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("Load with $OSSQ_CONFIG missing: error = %v", err)
	}
}

func TestSyntaxErrorHasLineAndColumn(t *testing.T) {
	isolate(t)
	path := writeConfig(t, "[transfer]\nparallel = 4\nretries = = 3\n")
	_, err := Load(path, nil)
	errs := configErrors(t, err)
	if len(errs) != 1 {
		t.Fatalf("errors = %v", err)
	}
	got := errs[0]
	if got.File != path || got.Line != 3 || got.Col != 11 {
		t.Errorf("syntax error at %s:%d:%d, want %s:3:11 (%v)", got.File, got.Line, got.Col, path, got)
	}
	if !strings.HasPrefix(err.Error(), path+":3:11: syntax error") {
		t.Errorf("message = %q", err)
	}
}

func TestUnknownKeysNamedWithLine(t *testing.T) {
	isolate(t)
	path := writeConfig(t, strings.Join([]string{
		"# comment",
		"colour = true",
		"[profiles.prod]",
		"endpoint = \"oss-cn-hangzhou.aliyuncs.com\"",
		"  acess_key_id = \"x\"",
		"[transfer]",
		"paralel = 4",
		"[ui]",
		"theme = \"dark\"",
	}, "\n"))
	_, err := Load(path, nil)
	errs := configErrors(t, err)
	want := []string{
		path + `:2:1: unknown key "colour"`,
		path + `:5:3: unknown key "profiles.prod.acess_key_id" (did you mean "access_key_id"?)`,
		path + `:7:1: unknown key "transfer.paralel" (did you mean "parallel"?)`,
		path + `:8:1: unknown key "ui"`,
	}
	if len(errs) != len(want) {
		t.Fatalf("got %d errors, want %d:\n%v", len(errs), len(want), err)
	}
	for i, w := range want {
		if !strings.HasPrefix(errs[i].Error(), w) {
			t.Errorf("error %d = %q\nwant prefix  %q", i, errs[i], w)
		}
	}
}

func TestOutOfRangeValues(t *testing.T) {
	isolate(t)
	cases := []struct {
		line string
		want string // after "path:2:1: "
	}{
		{`parallel = 0`, `transfer.parallel = 0: out of range: allowed 1 to 100`},
		{`parallel = 101`, `transfer.parallel = 101: out of range: allowed 1 to 100`},
		{`parallel = "8"`, `transfer.parallel = "8": must be a whole number between 1 and 100, not a string`},
		{`max_active = 33`, `transfer.max_active = 33: out of range: allowed 1 to 32`},
		{`retries = -1`, `transfer.retries = -1: out of range: allowed 0 to 20`},
		{`retries = 21`, `transfer.retries = 21: out of range: allowed 0 to 20`},
		{`part_size = "64KiB"`, `transfer.part_size = "64KiB": out of range: allowed 100 KiB to 5.0 GiB`},
		{`part_size = "6GiB"`, `transfer.part_size = "6GiB": out of range: allowed 100 KiB to 5.0 GiB`},
		{`part_size = "8 parsecs"`, `transfer.part_size = "8 parsecs": size "8 parsecs": unknown unit "parsecs"`},
		{`part_size = 1.5`, `transfer.part_size = 1.5: must be a size such as "8MiB" or a number of bytes, not a float`},
		{`multipart_threshold = -1`, `transfer.multipart_threshold = -1: out of range: allowed 0 to 5.0 GiB`},
		{`bandwidth_limit = "10B"`, `transfer.bandwidth_limit = "10B": out of range: allowed 0 (no limit) or at least 1.0 KiB`},
		{`on_exists = "replace"`, `transfer.on_exists = "replace": must be one of "ask", "overwrite", "skip", "rename"`},
		{`resume_on_start = "yes"`, `transfer.resume_on_start = "yes": must be true or false, not a string`},
		{`state_dir = ""`, `transfer.state_dir = "": must not be empty`},
	}
	for _, tc := range cases {
		path := writeConfig(t, "[transfer]\n"+tc.line+"\n")
		_, err := Load(path, nil)
		errs := configErrors(t, err)
		if len(errs) != 1 {
			t.Errorf("%s: got %v", tc.line, err)
			continue
		}
		if want := path + ":2:1: " + tc.want; !strings.HasPrefix(errs[0].Error(), want) {
			t.Errorf("%s:\n got  %q\n want %q", tc.line, errs[0], want)
		}
	}
}

func TestProfileValueErrors(t *testing.T) {
	isolate(t)
	cases := []struct{ line, want string }{
		{`signature_version = "v2"`, `profiles.p.signature_version = "v2": must be one of "v4", "v1"`},
		{`connect_timeout = 5`, `profiles.p.connect_timeout = 5: must be a duration string`},
		{`read_timeout = "soon"`, `profiles.p.read_timeout = "soon": not a duration`},
		{`read_timeout = "-1s"`, `profiles.p.read_timeout = "-1s": out of range`},
		{`endpoint = "ftp://host"`, `profiles.p.endpoint = "ftp://host": scheme must be http or https`},
		{`proxy = "proxy:3128"`, `profiles.p.proxy = "proxy:3128":`},
		{`bucket = "My_Bucket"`, `profiles.p.bucket = "My_Bucket": a bucket name has only lower-case letters`},
		{`use_cname = 1`, `profiles.p.use_cname = 1: must be true or false, not an integer`},
	}
	for _, tc := range cases {
		path := writeConfig(t, "[profiles.p]\n"+tc.line+"\n")
		_, err := Load(path, nil)
		errs := configErrors(t, err)
		if len(errs) != 1 {
			t.Errorf("%s: got %v", tc.line, err)
			continue
		}
		if want := path + ":2:1: " + tc.want; !strings.HasPrefix(errs[0].Error(), want) {
			t.Errorf("%s:\n got  %q\n want %q", tc.line, errs[0], want)
		}
	}
}

func TestAllErrorsReportedInFileOrder(t *testing.T) {
	isolate(t)
	path := writeConfig(t, "[transfer]\nretries = 99\nparallel = 0\n[profiles.a]\nregion = 7\n")
	errs := configErrors(t, func() error { _, err := Load(path, nil); return err }())
	var lines []int
	for _, e := range errs {
		lines = append(lines, e.Line)
	}
	if !slices.Equal(lines, []int{2, 3, 5}) {
		t.Errorf("error lines = %v, want [2 3 5]", lines)
	}
}

func TestProfileSelection(t *testing.T) {
	isolate(t)
	path := writeConfig(t, `
default_profile = "work"
[profiles.work]
endpoint = "oss-cn-shanghai.aliyuncs.com"
bucket = "work-bucket"
[profiles.home]
endpoint = "https://oss-eu-central-1.aliyuncs.com"
region = "eu-central-1"
signature_version = "v1"
connect_timeout = "2s"
`)
	cfg, err := Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	work, err := cfg.Profile("")
	if err != nil {
		t.Fatal(err)
	}
	if work.Name != "work" || work.Bucket != "work-bucket" || work.Region != "cn-shanghai" || work.SignatureVersion != "v4" {
		t.Errorf("default_profile gave %+v", work)
	}
	home, err := cfg.Profile("home")
	if err != nil {
		t.Fatal(err)
	}
	if home.Name != "home" || home.SignatureVersion != "v1" || home.ConnectTimeout != 2*time.Second || home.ReadTimeout != 10*time.Second {
		t.Errorf("--profile home gave %+v", home)
	}
}

func TestMissingProfileListsAvailable(t *testing.T) {
	isolate(t)
	path := writeConfig(t, "[profiles.beta]\n[profiles.alpha]\n")
	cfg, err := Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"", "gamma"} {
		_, err := cfg.Profile(name)
		if err == nil {
			t.Fatalf("Profile(%q): want an error", name)
		}
		wantName := name
		if wantName == "" {
			wantName = "default"
		}
		if msg := err.Error(); !strings.Contains(msg, `"`+wantName+`" not found`) || !strings.Contains(msg, "available: alpha, beta") {
			t.Errorf("Profile(%q) error = %q", name, msg)
		}
	}
	// A default_profile that names nothing is caught at load time, with its line.
	bad := writeConfig(t, "default_profile = \"prod\"\n[profiles.dev]\n")
	_, err = Load(bad, nil)
	errs := configErrors(t, err)
	if len(errs) != 1 || errs[0].Line != 1 || !strings.Contains(errs[0].Msg, `"prod" is not defined; profiles: dev`) {
		t.Errorf("default_profile error = %v", err)
	}
	// Naming the implicit default profile is fine when there are no profiles.
	implicit := writeConfig(t, "default_profile = \"default\"\n")
	if cfg, err = Load(implicit, nil); err != nil {
		t.Fatalf("default_profile = \"default\" without profiles: %v", err)
	}
	if p, err := cfg.Profile(""); err != nil || p.Name != "default" {
		t.Errorf("implicit default: %+v, %v", p, err)
	}
	// No file at all: only "default" exists.
	isolate(t)
	cfg, err = Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cfg.Profile("prod"); err == nil || !strings.Contains(err.Error(), "defines no profiles") {
		t.Errorf("Profile(prod) with no file: %v", err)
	}
}

func TestEnvironmentCredentials(t *testing.T) {
	isolate(t)
	path := writeConfig(t, `
[profiles.envonly]
endpoint = "oss-cn-hangzhou.aliyuncs.com"
[profiles.file]
access_key_id = "file-id"
access_key_secret = "file-secret"
[profiles.mixed]
access_key_id = "file-id"
[profiles.anon]
anonymous = true
`)
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(EnvAccessKeyID, "env-id")
	t.Setenv(EnvAccessKeySecret, "env-secret")
	t.Setenv(EnvSessionToken, "env-token")
	cfg, err := Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		profile, id, secret, token, source string
	}{
		{"envonly", "env-id", "env-secret", "env-token", SourceEnvironment},
		{"file", "file-id", "file-secret", "env-token", SourceMixed},
		{"mixed", "file-id", "env-secret", "env-token", SourceMixed},
		{"anon", "", "", "", SourceAnonymous},
	}
	for _, tc := range cases {
		p, err := cfg.Profile(tc.profile)
		if err != nil {
			t.Fatal(err)
		}
		if p.AccessKeyID != tc.id || p.AccessKeySecret != tc.secret || p.SessionToken != tc.token || p.CredentialSource != tc.source {
			t.Errorf("%s: got id=%q secret=%q token=%q source=%q, want %q %q %q %q", tc.profile,
				p.AccessKeyID, p.AccessKeySecret, p.SessionToken, p.CredentialSource, tc.id, tc.secret, tc.token, tc.source)
		}
	}
	// Without a token in the environment, file credentials are the whole story.
	t.Setenv(EnvSessionToken, "")
	p, err := cfg.Profile("file")
	if err != nil {
		t.Fatal(err)
	}
	if p.CredentialSource != SourceConfig || p.SessionToken != "" {
		t.Errorf("file profile: source %q token %q", p.CredentialSource, p.SessionToken)
	}
	// The environment is read when Profile is called, not when Load ran.
	t.Setenv(EnvAccessKeyID, "later-id")
	p, err = cfg.Profile("envonly")
	if err != nil {
		t.Fatal(err)
	}
	if p.AccessKeyID != "later-id" {
		t.Errorf("AccessKeyID = %q, want later-id", p.AccessKeyID)
	}
	if err := p.Check(); err != nil {
		t.Errorf("Check: %v", err)
	}
}

func TestProfileCheck(t *testing.T) {
	cases := []struct {
		profile Profile
		want    string
	}{
		{Profile{Name: "a", SignatureVersion: "v4", Anonymous: true}, "no endpoint or region"},
		{Profile{Name: "a", Endpoint: "h", SignatureVersion: "v4", AccessKeyID: "id"}, "access_key_secret is missing"},
		{Profile{Name: "a", Endpoint: "h", SignatureVersion: "v4", Anonymous: true}, "signature v4 needs a region"},
		{Profile{Name: "a", Endpoint: "h", SignatureVersion: "v1", Anonymous: true}, ""},
		{Profile{Name: "a", Region: "cn-hangzhou", SignatureVersion: "v4", AccessKeyID: "i", AccessKeySecret: "s"}, ""},
	}
	for _, tc := range cases {
		err := tc.profile.Check()
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("Check(%+v) = %v, want %q", tc.profile, err, tc.want)
		}
	}
}

func TestRegionFromEndpoint(t *testing.T) {
	cases := map[string]string{
		"oss-cn-hangzhou.aliyuncs.com":                   "cn-hangzhou",
		"https://oss-cn-hangzhou-internal.aliyuncs.com/": "cn-hangzhou",
		"oss-accelerate.aliyuncs.com":                    "",
		"http://127.0.0.1:9000":                          "",
		"cdn.example.com":                                "",
		"":                                               "",
	}
	for endpoint, want := range cases {
		if got := RegionFromEndpoint(endpoint); got != want {
			t.Errorf("RegionFromEndpoint(%q) = %q, want %q", endpoint, got, want)
		}
	}
}

func TestPermissionWarning(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("POSIX permissions only")
	}
	isolate(t)
	secret := "[profiles.p]\naccess_key_id = \"id\"\naccess_key_secret = \"s3cret\"\n"
	path := writeConfig(t, secret)
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Warnings) != 1 || !strings.Contains(cfg.Warnings[0], "profiles.p.access_key_secret") ||
		!strings.Contains(cfg.Warnings[0], "chmod 600") || strings.Contains(cfg.Warnings[0], "s3cret") {
		t.Errorf("warnings = %q", cfg.Warnings)
	}
	// Private file: no warning. Public file without secrets: no warning.
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if cfg, err = Load(path, nil); err != nil || len(cfg.Warnings) != 0 {
		t.Errorf("0600: warnings %q err %v", cfg.Warnings, err)
	}
	public := writeConfig(t, "[profiles.p]\naccess_key_id = \"id\"\n")
	if err := os.Chmod(public, 0o644); err != nil {
		t.Fatal(err)
	}
	if cfg, err = Load(public, nil); err != nil || len(cfg.Warnings) != 0 {
		t.Errorf("no secret: warnings %q err %v", cfg.Warnings, err)
	}
}

func TestDirectories(t *testing.T) {
	_, stateHome := isolate(t)
	home, err := os.UserHomeDir()
	if err != nil {
		t.Skip("no home directory")
	}
	path := writeConfig(t, "[transfer]\nstate_dir = \"state\"\ndownload_dir = \"~/Downloads\"\n")
	cfg, err := Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	base := filepath.Dir(path)
	if got, want := cfg.Transfer.StateDir, filepath.Join(base, "state"); got != want {
		t.Errorf("StateDir = %q, want %q (relative to the config file)", got, want)
	}
	if got, want := cfg.Transfer.CheckpointDir, filepath.Join(base, "state", "checkpoints"); got != want {
		t.Errorf("CheckpointDir = %q, want %q (follows state_dir)", got, want)
	}
	if got, want := cfg.Transfer.DownloadDir, filepath.Join(home, "Downloads"); got != want {
		t.Errorf("DownloadDir = %q, want %q", got, want)
	}
	if got, want := DefaultStateDir(), filepath.Join(stateHome, "ossq"); got != want {
		t.Errorf("DefaultStateDir = %q, want %q", got, want)
	}
	// A relative XDG value is ignored, per the spec.
	t.Setenv("XDG_STATE_HOME", "relative/state")
	if got, want := DefaultStateDir(), filepath.Join(home, ".local", "state", "ossq"); got != want {
		t.Errorf("DefaultStateDir with relative XDG_STATE_HOME = %q, want %q", got, want)
	}
}

func TestKeyPositions(t *testing.T) {
	text := strings.Join([]string{
		`top = 1`,
		`[ "profiles" . 'my.prof' ]`,
		`  endpoint = """`,
		`fake = "inside a multi-line string"`,
		`"""`,
		`region.sub = 2`,
		`[[arr]]`,
		`x = { y = 1 }`,
	}, "\n")
	positions := keyPositions(text)
	want := map[string]position{
		"top":                         {1, 1},
		"profiles.my.prof":            {2, 1},
		"profiles.my.prof.endpoint":   {3, 3},
		"profiles.my.prof.region.sub": {6, 1},
		"arr.x":                       {8, 1},
	}
	for key, pos := range want {
		if got := positions[key]; got != pos {
			t.Errorf("%s at %v, want %v", key, got, pos)
		}
	}
	if _, found := positions["profiles.my.prof.fake"]; found {
		t.Error("a line inside a multi-line string was read as a key")
	}
	if pos, ok := positions.lookup([]string{"arr", "x", "y"}); !ok || pos != (position{8, 1}) {
		t.Errorf("inline table key falls back to its parent: got %v %v", pos, ok)
	}
}

// The example file must load cleanly and mention every key ossq knows, so it
// can never fall behind the code.
func TestExampleFileIsCompleteAndValid(t *testing.T) {
	isolate(t)
	path := filepath.Join("..", "..", "config.toml.example")
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := Parse(path, string(text))
	if err != nil {
		t.Fatalf("example does not load: %v", err)
	}
	positions := keyPositions(string(text))
	var wanted []string
	wanted = append(wanted, topLevelKeys...)
	for _, key := range sortedKeys(transferFields) {
		wanted = append(wanted, "transfer."+key)
	}
	for _, key := range sortedKeys(profileFields) {
		found := false
		for name := range cfg.Profiles {
			if _, ok := positions["profiles."+name+"."+key]; ok {
				found = true
			}
		}
		if !found {
			t.Errorf("example sets no profile's %q", key)
		}
	}
	for _, key := range wanted {
		if _, ok := positions[key]; !ok {
			t.Errorf("example does not set %q", key)
		}
	}
	// Every active key line is preceded by a comment explaining it, except
	// keys repeated in a later profile.
	lines := strings.Split(string(text), "\n")
	documented := map[string]bool{}
	for i, line := range lines {
		key, _, isKey := strings.Cut(line, " = ")
		if !isKey || strings.HasPrefix(line, "#") {
			continue
		}
		if i == 0 || !strings.HasPrefix(lines[i-1], "#") {
			if !documented[key] {
				t.Errorf("line %d: %q has no comment above it", i+1, key)
			}
		}
		documented[key] = true
	}
	p, err := cfg.Profile("")
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "default" || p.Region != "cn-hangzhou" {
		t.Errorf("example default profile = %+v", p)
	}
}

// A secret never appears in an error message, even when it is malformed.
func TestSecretsNotEchoedInErrors(t *testing.T) {
	isolate(t)
	cases := []string{
		"[profiles.p]\naccess_key_secret = 12345678\n",
		"[profiles.p]\naccess_key_secret = s3cr3t-unquoted\n",
		"[profiles.p]\n  session_token = \"unterminated s3cr3t\n",
	}
	for _, text := range cases {
		_, err := Load(writeConfig(t, text), nil)
		if err == nil {
			t.Fatalf("%q: want an error", text)
		}
		if msg := err.Error(); strings.Contains(msg, "s3cr3t") || strings.Contains(msg, "12345678") || !strings.Contains(msg, ":2:") {
			t.Errorf("%q: error %q echoes the secret or lacks the line", text, msg)
		}
	}
}
