package filter

import (
	"strings"
	"testing"
)

func TestGlobMatching(t *testing.T) {
	cases := []struct {
		glob string
		yes  []string
		no   []string
	}{
		{"*.jpg", []string{"a.jpg", "x/y/a.jpg", ".jpg"}, []string{"a.jpeg", "a.jpg/b", "ajpg"}},
		{"/*.jpg", []string{"a.jpg"}, []string{"x/a.jpg"}},
		{"a/*.txt", []string{"a/b.txt", "x/a/b.txt"}, []string{"a/b/c.txt", "xa/b.txt"}},
		{"/a/**", []string{"a/b", "a/b/c/d.txt"}, []string{"x/a/b", "a"}},
		{"**/*.log", []string{"x/y.log", "a/b/c.log"}, []string{}},
		{"**.log", []string{"y.log", "a/b/c.log"}, []string{"log"}},
		{"file?.txt", []string{"file1.txt", "d/fileA.txt"}, []string{"file10.txt", "file/.txt"}},
		{"[ab]*.go", []string{"a.go", "bx.go"}, []string{"c.go"}},
		{"[!ab]*.go", []string{"c.go", "a/c.go"}, []string{"a.go", "c/b.go"}},
		{"[a-c]", []string{"b"}, []string{"d"}},
		{"*.{jpg,png}", []string{"a.jpg", "b/c.png"}, []string{"a.gif"}},
		{"{a,b/{c,d}}.txt", []string{"a.txt", "b/c.txt", "b/d.txt"}, []string{"b.txt"}},
		{`\*.txt`, []string{"*.txt"}, []string{"a.txt"}},
		{"a+b(1).txt", []string{"a+b(1).txt"}, []string{"aab1.txt"}},
		{"cache/", []string{"cache/x", "a/cache/b/c"}, []string{"cache", "mycache/x"}},
		{"/cache/", []string{"cache/x"}, []string{"a/cache/x"}},
		{"日本/*.txt", []string{"日本/a.txt"}, []string{"日本/a/b.txt"}},
		{"**", []string{"a", "a/b/c"}, []string{}},
	}
	for _, c := range cases {
		re, err := compileGlob(c.glob)
		if err != nil {
			t.Errorf("compileGlob(%q): %v", c.glob, err)
			continue
		}
		for _, p := range c.yes {
			if !re.MatchString(p) {
				t.Errorf("glob %q does not match %q (regexp %s)", c.glob, p, re)
			}
		}
		for _, p := range c.no {
			if re.MatchString(p) {
				t.Errorf("glob %q matches %q (regexp %s)", c.glob, p, re)
			}
		}
	}
}

func TestBadGlobsAreClearErrors(t *testing.T) {
	cases := map[string]string{
		"":          "empty glob",
		"a***":      "3 stars",
		"[abc":      "'[' without ']'",
		"abc]":      "']' without '['",
		"{a,b":      "'{' without '}'",
		"a}":        "'}' without '{'",
		`a\`:        "lone",
		"a\x00b":    "NUL",
		"[[:foo:]]": "",
		"\xff":      "",
	}
	for glob, want := range cases {
		_, err := compileGlob(glob)
		if err == nil {
			t.Errorf("compileGlob(%q) succeeded", glob)
			continue
		}
		if !strings.Contains(err.Error(), want) {
			t.Errorf("compileGlob(%q) = %v, want it to say %q", glob, err, want)
		}
	}
}

// FuzzCompileGlob: any glob compiles or fails cleanly; a compiled glob
// never panics on matching; a glob without special characters matches
// exactly itself (at the root and at any depth); a rooted glob matches a
// subset of what its unrooted form matches.
func FuzzCompileGlob(f *testing.F) {
	for _, s := range []string{"*.jpg", "/a/**", "[!a-c]?.{x,y}", `\[lit\]`, "cache/", "**/x", "a***", "{a,{b,c}}", "[[:alpha:]]"} {
		f.Add(s, "a/b.jpg")
	}
	f.Fuzz(func(t *testing.T, glob, path string) {
		re, err := compileGlob(glob)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		matched := re.MatchString(path)
		if strings.HasPrefix(glob, "/") && matched {
			if loose, err := compileGlob(glob[1:]); err == nil && !loose.MatchString(path) {
				t.Fatalf("%q matches %q but %q does not", glob, path, glob[1:])
			}
		}
		if !strings.ContainsAny(glob, `*?[]{},\`) && !strings.HasPrefix(glob, "/") && !strings.HasSuffix(glob, "/") {
			if !re.MatchString(glob) || !re.MatchString("dir/"+glob) {
				t.Fatalf("literal glob %q does not match itself", glob)
			}
			if path != glob && !strings.HasSuffix(path, "/"+glob) && matched {
				t.Fatalf("literal glob %q matches %q", glob, path)
			}
		}
	})
}
