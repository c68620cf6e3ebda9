// Package config loads ossq's TOML configuration: connection profiles,
// credentials (from the file or the environment) and transfer settings, with
// validation errors that point at file:line:col. It is plain data; it takes
// OSS's limits from ossname, the engine's defaults from transfer and the
// filter rules from internal/filter, so each rule is written once.
package config
