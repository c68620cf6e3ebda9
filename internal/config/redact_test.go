package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRedactUserinfo(t *testing.T) {
	cases := map[string]string{
		"http://proxy.example:3128":          "http://proxy.example:3128",
		"http://alice:pa55@proxy:3128":       "http://xxxxx@proxy:3128",
		"socks5://tok3n@proxy:1080":          "socks5://xxxxx@proxy:1080",
		"http://u:pa/55@host":                "http://xxxxx@host",
		"http://u:p@55@host/x":               "http://xxxxx@host/x",
		"http://u:pa 55@host":                "http://xxxxx@host",
		"alice:pa55@oss.example.com:9000":    "xxxxx@oss.example.com:9000",
		"oss-cn-hangzhou.aliyuncs.com":       "oss-cn-hangzhou.aliyuncs.com",
		"":                                   "",
		"ftp://bob:pa55@host ftp is refused": "ftp://xxxxx@host ftp is refused",
	}
	for in, want := range cases {
		if got := RedactUserinfo(in); got != want {
			t.Errorf("RedactUserinfo(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestURLPasswordsNotEchoedInErrors(t *testing.T) {
	isolate(t)
	cases := []string{
		// values the decoder refuses, echoed with the error
		"[profiles.p]\nproxy = \"ftp://alice:pa55w0rd@proxy:21\"\n",
		"[profiles.p]\nproxy = \"http://alice:pa55w0rd@\"\n",
		"[profiles.p]\nendpoint = \"gopher://alice:pa55w0rd@oss:9000\"\n",
		"[profiles.p]\nendpoint = \"http://alice:pa55 w0rd@oss:9000\"\n",
		"[profiles.p]\nendpoint = 7\nproxy = \"http://alice:pa55w0rd@host:1/%zz\"\n",
		// a syntax error on the line, quoted by the TOML parser
		"[profiles.p]\nproxy = \"http://alice:pa55w0rd@proxy:3128\n",
		"[profiles.p]\nproxy = http://alice:pa55w0rd@proxy:3128\n",
	}
	for _, text := range cases {
		_, err := Load(writeConfig(t, text), nil)
		if err == nil {
			t.Fatalf("%q: want an error", text)
		}
		msg := err.Error()
		if strings.Contains(msg, "pa55") || strings.Contains(msg, "w0rd") {
			t.Errorf("%q: error echoes the password: %s", text, msg)
		}
		if !strings.Contains(msg, ":2:") && !strings.Contains(msg, ":3:") {
			t.Errorf("%q: error %q lacks the line", text, msg)
		}
	}
}

// FuzzLoad feeds arbitrary text to the config loader around a profile that
// holds a secret and a proxy password: Load must return a config or an
// error (never panic, never an empty message), and no error may show the
// secret, whatever the text around it.
func FuzzLoad(f *testing.F) {
	seeds := [][2]string{
		{"", ""},
		{"default_profile = \"p\"\n", "endpoint = \"http://127.0.0.1:9000\"\nregion = \"cn-hangzhou\"\n"},
		{"[transfer]\npart_size = \"8MiB\"\nparallel = 4\n", "proxy = 3\n"},
		{"[transfer]\npart_size = -1\nparallel = \"x\"\n", "endpoint = \"ftp://a:b@c\"\n"},
		{"[[profiles]]\n", "session_token = \"x\n"},
		{"key = = =\n", "bucket = \"A\"\n"},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1])
	}
	dir := f.TempDir()
	const secret = "Zq7SecretValue"
	f.Fuzz(func(t *testing.T, before, after string) {
		if strings.Contains(before+after, "Zq7") {
			return // the text itself may legitimately name it
		}
		text := before + "\n[profiles.p]\naccess_key_secret = \"" + secret + "\"\n" +
			"proxy = \"http://u:" + secret + "@proxy:3128\"\n" + after
		path := filepath.Join(dir, "config.toml")
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		cfg, err := Load(path, nil)
		if err == nil {
			if cfg == nil {
				t.Fatal("Load returned neither a config nor an error")
			}
			return
		}
		if msg := err.Error(); msg == "" || strings.Contains(msg, secret) {
			t.Fatalf("error %q shows the secret (or is empty); config:\n%s", msg, text)
		}
	})
}
