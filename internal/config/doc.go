// Package config loads ossq's TOML configuration: connection profiles,
// credentials (from the file or the environment) and transfer settings, with
// validation errors that point at file:line:col. It is plain data: it imports
// no other ossq package and not the OSS SDK.
package config
