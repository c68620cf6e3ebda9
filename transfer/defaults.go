package transfer

// The engine's defaults: what a zero Options field means. The config's
// defaults, config.toml.example and README.md state these same numbers
// (internal/config tests hold the example file to them).
const (
	DefaultPartSize           = 8 << 20  // bytes per part
	DefaultParallel           = 8        // parts in flight per transfer
	DefaultMaxActive          = 3        // jobs at once
	DefaultFileParallel       = 16       // items in flight per folder job
	DefaultMultipartThreshold = 16 << 20 // below it: one GET / one PutObject
	DefaultRetries            = 5        // per part, for transient errors
)

// MaxFileParallel bounds items in flight per folder job.
const MaxFileParallel = 256
