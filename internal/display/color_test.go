package display

import "testing"

func TestNoColorFollowsTheFlagAndTheConvention(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		flag bool
		want bool
	}{
		{"neither", nil, false, false},
		{"flag", nil, true, true},
		{"NO_COLOR=1", map[string]string{"NO_COLOR": "1"}, false, true},
		{"NO_COLOR=0 counts too", map[string]string{"NO_COLOR": "0"}, false, true},
		{"NO_COLOR empty is unset", map[string]string{"NO_COLOR": ""}, false, false},
		{"another variable", map[string]string{"NOCOLOR": "1", "TERM": "dumb"}, false, false},
		{"both", map[string]string{"NO_COLOR": "yes"}, true, true},
	}
	for _, c := range cases {
		getenv := func(k string) string { return c.env[k] }
		if got := NoColor(getenv, c.flag); got != c.want {
			t.Errorf("%s: NoColor = %v, want %v", c.name, got, c.want)
		}
	}
}
