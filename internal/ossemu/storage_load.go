package ossemu

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// load reads everything under root into memory and removes leftovers of
// interrupted writes (temp files, data files no metadata refers to).
func (st *storage) load() error {
	for _, d := range []string{filepath.Join(st.root, "buckets"), filepath.Join(st.root, "uploads")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return err
		}
	}
	bucketEntries, err := os.ReadDir(filepath.Join(st.root, "buckets"))
	if err != nil {
		return err
	}
	for _, e := range bucketEntries {
		if !e.IsDir() || !validBucketName(e.Name()) {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(st.bucketDir(e.Name()), "bucket.json"))
		if err != nil {
			slog.Warn("ossemu: skipping bucket without descriptor", "bucket", e.Name(), "err", err)
			continue
		}
		var bm bucketMeta
		if err := json.Unmarshal(raw, &bm); err != nil || bm.Name != e.Name() {
			slog.Warn("ossemu: skipping bucket with bad descriptor", "bucket", e.Name(), "err", err)
			continue
		}
		b := &bucketState{meta: bm, objects: map[string]*objectMeta{}}
		if err := st.loadObjects(b); err != nil {
			return err
		}
		st.buckets[bm.Name] = b
	}
	uploadEntries, err := os.ReadDir(filepath.Join(st.root, "uploads"))
	if err != nil {
		return err
	}
	for _, e := range uploadEntries {
		if !e.IsDir() {
			continue
		}
		u, err := st.loadUpload(e.Name())
		if err != nil {
			slog.Warn("ossemu: removing unreadable upload", "upload", e.Name(), "err", err)
			os.RemoveAll(st.uploadDir(e.Name()))
			continue
		}
		st.uploads[u.meta.ID] = u
	}
	return nil
}

func (st *storage) loadObjects(b *bucketState) error {
	dir := st.objDir(b.meta.Name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	referenced := map[string]bool{}
	multi := map[string][]*objectMeta{} // keys with more than their one null version
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".json") || strings.HasPrefix(name, ".tmp-") {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		var om objectMeta
		if err := json.Unmarshal(raw, &om); err != nil || metaFileName(&om) != name {
			slog.Warn("ossemu: skipping unreadable object metadata", "file", name, "err", err)
			continue
		}
		if !om.Generated && !om.DeleteMarker {
			if _, err := os.Stat(filepath.Join(dir, om.DataFile)); err != nil {
				slog.Warn("ossemu: skipping object whose data is missing", "key", om.Key, "err", err)
				continue
			}
			referenced[om.DataFile] = true
		}
		if om.Seq > st.seq.Load() {
			st.seq.Store(om.Seq)
		}
		if b.objects[om.Key] == nil && multi[om.Key] == nil && !om.DeleteMarker {
			b.objects[om.Key] = &om
			continue
		}
		if prev := b.objects[om.Key]; prev != nil {
			multi[om.Key] = append(multi[om.Key], prev)
			delete(b.objects, om.Key)
		}
		multi[om.Key] = append(multi[om.Key], &om)
	}
	for key := range b.objects {
		b.sorted = append(b.sorted, key)
	}
	sort.Strings(b.sorted)
	for key, versions := range multi {
		sort.Slice(versions, func(i, j int) bool { return versions[i].Seq > versions[j].Seq })
		b.setHistory(key, versions)
	}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".tmp-") || (strings.HasSuffix(name, ".data") && !referenced[name]) {
			os.Remove(filepath.Join(dir, name))
		}
	}
	return nil
}

func (st *storage) loadUpload(id string) (*uploadState, error) {
	dir := st.uploadDir(id)
	raw, err := os.ReadFile(filepath.Join(dir, "upload.json"))
	if err != nil {
		return nil, err
	}
	u := &uploadState{parts: map[int]*partMeta{}}
	if err := json.Unmarshal(raw, &u.meta); err != nil {
		return nil, err
	}
	if u.meta.ID != id {
		return nil, fmt.Errorf("upload id %q does not match its directory", u.meta.ID)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	referenced := map[string]bool{}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, "p") || !strings.HasSuffix(name, ".json") {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		var pm partMeta
		if err := json.Unmarshal(raw, &pm); err != nil {
			slog.Warn("ossemu: skipping unreadable part", "upload", id, "file", name, "err", err)
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, pm.DataFile)); err != nil {
			continue
		}
		referenced[pm.DataFile] = true
		u.parts[pm.Number] = &pm
	}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".tmp-") || (strings.HasSuffix(name, ".data") && !referenced[name]) {
			os.Remove(filepath.Join(dir, name))
		}
	}
	return u, nil
}
