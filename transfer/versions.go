package transfer

import (
	"context"
	"errors"
	"io"
)

// VersionReader is implemented by stores that can read one version of an
// object (NewOSSStore's can). versionID "" means the current version.
// A download whose Spec names a VersionID needs it.
type VersionReader interface {
	HeadObjectVersion(ctx context.Context, bucket, key, versionID string) (Object, error)
	GetRangeVersion(ctx context.Context, bucket, key, versionID string, off, n int64, ifMatch string) (io.ReadCloser, error)
}

// headObject HEADs what the transfer reads: the version its spec pins, or the current object.
func (e *Engine) headObject(ctx context.Context, t *transfer) (Object, error) {
	if t.spec.VersionID == "" {
		return e.storeOf(t).HeadObject(ctx, t.spec.Bucket, t.spec.Key)
	}
	vr, ok := e.storeOf(t).(VersionReader)
	if !ok {
		return Object{}, errNoVersionReader
	}
	return vr.HeadObjectVersion(ctx, t.spec.Bucket, t.spec.Key, t.spec.VersionID)
}

// getRange is GetRange of what the transfer reads.
func (e *Engine) getRange(ctx context.Context, t *transfer, off, n int64, ifMatch string) (io.ReadCloser, error) {
	if t.spec.VersionID == "" {
		return e.storeOf(t).GetRange(ctx, t.spec.Bucket, t.spec.Key, off, n, ifMatch)
	}
	vr, ok := e.storeOf(t).(VersionReader)
	if !ok {
		return nil, errNoVersionReader
	}
	return vr.GetRangeVersion(ctx, t.spec.Bucket, t.spec.Key, t.spec.VersionID, off, n, ifMatch)
}

var errNoVersionReader = errors.New("this store cannot read object versions")

// checkPins vets a spec's VersionID and AdoptUploadID.
func (e *Engine) checkPins(spec Spec) error {
	if spec.VersionID != "" {
		if spec.Direction != Download {
			return errors.New("a version ID applies to downloads only")
		}
		if _, ok := e.store.(VersionReader); !ok {
			return errNoVersionReader
		}
	}
	if spec.AdoptUploadID != "" && spec.Direction != Upload {
		return errors.New("an upload ID to take over applies to uploads only")
	}
	return nil
}
