package transfer

import (
	"context"
	"fmt"
	"time"

	"ossq/internal/ossname"
)

// DeletedObject is a key hidden by a delete marker on a versioned bucket.
type DeletedObject struct {
	Key       string
	DeletedAt time.Time // the delete marker's time
	// Last is the newest version under the marker: what RestoreVersion(Key,
	// Last.VersionID) copies back. Zero when only markers remain.
	Last Version
}

// DeletedObjects lists, one level under prefix (delimiter "/"), the keys
// whose latest version is a delete marker, each with the version a restore
// would bring back.
func (c *Catalog) DeletedObjects(ctx context.Context, bucket, prefix string) ([]DeletedObject, error) {
	var out []DeletedObject
	open := -1 // index in out of the deleted key whose older versions are being read
	keyMarker, idMarker := "", ""
	for range maxListPages {
		page, err := c.store.ListVersionsPage(ctx, bucket, prefix, "/", keyMarker, idMarker, ossname.MaxListPage)
		if err != nil {
			return out, err
		}
		for _, v := range page.Versions {
			switch {
			case v.IsLatest && v.DeleteMarker:
				out = append(out, DeletedObject{Key: v.Key, DeletedAt: v.LastModified})
				open = len(out) - 1
			case v.IsLatest:
				open = -1
			case open >= 0 && v.Key == out[open].Key && !v.DeleteMarker && out[open].Last.VersionID == "":
				out[open].Last = v
			}
		}
		if !page.Truncated {
			return out, nil
		}
		keyMarker, idMarker = page.NextKeyMarker, page.NextVersionIDMarker
	}
	return out, fmt.Errorf("ListObjectVersions: more than %d pages", maxListPages)
}
