package ossemu

// ListObjects (V1 and V2) and the query parameters every listing shares.

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// listEncoder applies encoding-type=url to names in list responses.
type listEncoder struct{ typ string }

func newListEncoder(encodingType string) listEncoder {
	if strings.EqualFold(encodingType, "url") {
		return listEncoder{typ: "url"}
	}
	return listEncoder{}
}

func (e listEncoder) enc(s string) string {
	if e.typ == "url" {
		return url.QueryEscape(s)
	}
	return s
}

func checkEncodingType(q *request) *ossError {
	if v := q.query.Get("encoding-type"); v != "" && !strings.EqualFold(v, "url") {
		return errInvalidArgument("encoding-type", v, "The encoding-type must be url.")
	}
	return nil
}

// parseLimit reads a max-keys style parameter (1..1000).
func parseLimit(q *request, name string, def int) (int, *ossError) {
	v := q.query.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 1000 {
		return 0, errInvalidArgument(name, v, "Argument "+name+" must be an integer between 1 and 1000.")
	}
	return n, nil
}

// listParams are what every listing reads from its query: the page size
// (named limitName), the encoding of names, prefix and delimiter.
type listParams struct {
	limit             int // what a page holds: asked, under Config.ListPageSize
	asked             int // what the client asked (echoed back, as OSS does)
	enc               listEncoder
	prefix, delimiter string
}

func (s *Server) parseListParams(q *request, limitName string, def int) (listParams, *ossError) {
	if e := checkEncodingType(q); e != nil {
		return listParams{}, e
	}
	limit, e := parseLimit(q, limitName, def)
	if e != nil {
		return listParams{}, e
	}
	asked := limit
	if s.cfg.ListPageSize > 0 {
		limit = min(limit, s.cfg.ListPageSize)
	}
	return listParams{limit: limit, asked: asked, enc: newListEncoder(q.query.Get("encoding-type")),
		prefix: q.query.Get("prefix"), delimiter: q.query.Get("delimiter")}, nil
}

func (s *Server) toListed(om *objectMeta, withOwner bool) listedObject {
	lo := listedObject{
		Key: om.Key, LastModified: xmlTime(om.LastModified), ETag: om.ETag, Type: om.ObjectType,
		Size: om.Size, StorageClass: om.StorageClass,
	}
	if withOwner {
		o := defaultOwner
		lo.Owner = &o
	}
	if h, _ := s.restoreState(om); h != "" {
		lo.RestoreInfo = h
	}
	return lo
}

func (s *Server) handleListObjects(q *request) error {
	v2 := q.op == opListObjectsV2
	lp, e := s.parseListParams(q, "max-keys", 100)
	if e != nil {
		return e
	}
	limit, enc, prefix, delimiter := lp.limit, lp.enc, lp.prefix, lp.delimiter
	after := q.query.Get("marker")
	token := q.query.Get("continuation-token")
	if v2 {
		after = q.query.Get("start-after")
		if token != "" {
			raw, err := base64.RawURLEncoding.DecodeString(token)
			if err != nil {
				return errInvalidArgument("continuation-token", token, "The continuation token is not valid.")
			}
			after = string(raw)
		}
	}
	objs, prefixes, truncated, last, e := s.store.listObjects(q.bucket, prefix, delimiter, after, limit)
	if e != nil {
		return e
	}
	withOwner := !v2 || q.query.Get("fetch-owner") == "true"
	contents := make([]listedObject, 0, len(objs))
	for i := range objs {
		lo := s.toListed(&objs[i], withOwner)
		lo.Key = enc.enc(lo.Key)
		contents = append(contents, lo)
	}
	cps := make([]commonPrefix, 0, len(prefixes))
	for _, p := range prefixes {
		cps = append(cps, commonPrefix{enc.enc(p)})
	}
	if v2 {
		res := listBucketV2Result{
			Name: q.bucket, Prefix: enc.enc(prefix), StartAfter: enc.enc(q.query.Get("start-after")),
			ContinuationToken: enc.enc(token), MaxKeys: lp.asked, Delimiter: enc.enc(delimiter), EncodingType: enc.typ,
			IsTruncated: truncated, KeyCount: len(contents) + len(cps), Contents: contents, CommonPrefixes: cps,
		}
		if truncated {
			res.NextContinuationToken = base64.RawURLEncoding.EncodeToString([]byte(last))
		}
		return writeXML(q.w, http.StatusOK, res)
	}
	res := listBucketResult{
		Name: q.bucket, Prefix: enc.enc(prefix), Marker: enc.enc(after), MaxKeys: lp.asked, Delimiter: enc.enc(delimiter),
		EncodingType: enc.typ, IsTruncated: truncated, Contents: contents, CommonPrefixes: cps,
	}
	if truncated {
		res.NextMarker = enc.enc(last)
	}
	return writeXML(q.w, http.StatusOK, res)
}
