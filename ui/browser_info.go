package ui

import (
	"fmt"
	"strings"

	"ossq/internal/units"
	"ossq/transfer"
)

// restoreHint says whether an archived object can be downloaded now. OSS
// refuses to read Archive, ColdArchive and DeepColdArchive objects until
// they are restored, so say so before the download fails with
// InvalidObjectState.
func restoreHint(o transfer.Object) string {
	if !transfer.IsArchiveClass(o.StorageClass) {
		return o.Restore
	}
	switch {
	case !transfer.NeedsRestore(o):
		return "restored, can be downloaded (" + o.Restore + ")"
	case strings.Contains(o.Restore, `ongoing-request="true"`):
		return "restore in progress; download once it is done"
	default:
		return "not restored: press R to restore it, then download once OSS is done"
	}
}

func (b *browserModel) infoView(w int) string {
	s := b.styles
	lines := make([]string, 0, infoPanelHeight)
	title := displayName("Info: oss://" + b.info.bucket + "/" + b.info.key)
	lines = append(lines, s.Title.Render(truncateLeft(title, w)))
	kv := func(k, v string) {
		if v == "" {
			v = "-"
		}
		lines = append(lines, s.Faint.Render(padRight(k, 14))+s.Text.Render(truncate(displayName(v), max(1, w-14))))
	}
	switch {
	case b.info.loading:
		lines = append(lines, s.Faint.Render("loading…"))
	case b.info.err != "":
		lines = append(lines, s.Error.Render(truncate(displayName(b.info.err), w)))
	default:
		o := b.info.obj
		kv("Size", fmt.Sprintf("%s (%d bytes)", units.FormatSize(o.Size), o.Size))
		kv("Modified", formatTime(o.LastModified))
		kv("ETag", o.ETag)
		kv("CRC64", o.CRC64)
		kv("Content-Type", o.ContentType)
		class := o.StorageClass
		if o.ObjectType != "" {
			class += " · " + o.ObjectType
		}
		kv("Class / type", class)
		kv("Version", o.VersionID)
		if r := restoreHint(o); r != "" {
			kv("Restore", r)
		}
	}
	for len(lines) < infoPanelHeight-1 {
		lines = append(lines, "")
	}
	return s.PanelBox.Width(w).Render(strings.Join(lines[:infoPanelHeight-1], "\n"))
}
