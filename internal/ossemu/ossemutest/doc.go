// Package ossemutest starts ossq's embedded OSS server for a test, in the
// spirit of net/http/httptest: NewServer listens on 127.0.0.1 with its
// storage in t.TempDir(), closes itself at t.Cleanup, and hands back the
// endpoint, the credentials and a ready SDK client, so every test reaches it
// through the real SDK over real HTTP.
//
// It imports ossemu and the SDK only, so any package's tests may use it
// (ossemu's own in-package tests cannot: that would be an import cycle).
package ossemutest
