package display

// NoColor reports whether output should be plain: asked for by a flag, or by
// the NO_COLOR convention (https://no-color.org: the variable is set to
// anything but ""). getenv is the environment lookup (os.Getenv), a
// parameter so the one reading of the variable is testable and no front end
// reads it on its own.
func NoColor(getenv func(string) string, flag bool) bool {
	return flag || getenv("NO_COLOR") != ""
}
