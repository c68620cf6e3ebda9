package ossemu

// Every XML document the server reads or writes, in the shapes OSS uses.

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

const xmlTimeFormat = "2006-01-02T15:04:05.000Z"

func xmlTime(t time.Time) string { return t.UTC().Format(xmlTimeFormat) }

type owner struct {
	ID          string `xml:"ID"`
	DisplayName string `xml:"DisplayName"`
}

var defaultOwner = owner{ID: "1000000000000000", DisplayName: "1000000000000000"}

type commonPrefix struct {
	Prefix string `xml:"Prefix"`
}

type accessControlList struct {
	Grant string `xml:"Grant"`
}

// ---- buckets ----

type createBucketConfiguration struct {
	StorageClass string `xml:"StorageClass"`
}

type bucketEntry struct {
	CreationDate     string `xml:"CreationDate"`
	ExtranetEndpoint string `xml:"ExtranetEndpoint"`
	IntranetEndpoint string `xml:"IntranetEndpoint"`
	Location         string `xml:"Location"`
	Name             string `xml:"Name"`
	Region           string `xml:"Region"`
	StorageClass     string `xml:"StorageClass"`
}

type listAllMyBucketsResult struct {
	XMLName     xml.Name      `xml:"ListAllMyBucketsResult"`
	Prefix      string        `xml:"Prefix"`
	Marker      string        `xml:"Marker"`
	MaxKeys     int           `xml:"MaxKeys"`
	IsTruncated bool          `xml:"IsTruncated"`
	NextMarker  string        `xml:"NextMarker,omitempty"`
	Owner       owner         `xml:"Owner"`
	Buckets     []bucketEntry `xml:"Buckets>Bucket"`
}

type locationConstraint struct {
	XMLName xml.Name `xml:"LocationConstraint"`
	Value   string   `xml:",chardata"`
}

type accessControlPolicy struct {
	XMLName xml.Name          `xml:"AccessControlPolicy"`
	Owner   owner             `xml:"Owner"`
	ACL     accessControlList `xml:"AccessControlList"`
}

type bucketInfoBucket struct {
	bucketEntry
	DataRedundancyType string            `xml:"DataRedundancyType"`
	Owner              owner             `xml:"Owner"`
	ACL                accessControlList `xml:"AccessControlList"`
}

type bucketInfo struct {
	XMLName xml.Name         `xml:"BucketInfo"`
	Bucket  bucketInfoBucket `xml:"Bucket"`
}

type versioningConfiguration struct {
	XMLName xml.Name `xml:"VersioningConfiguration"`
	Status  string   `xml:"Status,omitempty"`
}

// ---- listings ----

type listedObject struct {
	Key          string `xml:"Key"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Type         string `xml:"Type"`
	Size         int64  `xml:"Size"`
	StorageClass string `xml:"StorageClass"`
	Owner        *owner `xml:"Owner,omitempty"`
	RestoreInfo  string `xml:"RestoreInfo,omitempty"`
}

type listBucketResult struct {
	XMLName        xml.Name       `xml:"ListBucketResult"`
	Name           string         `xml:"Name"`
	Prefix         string         `xml:"Prefix"`
	Marker         string         `xml:"Marker"`
	MaxKeys        int            `xml:"MaxKeys"`
	Delimiter      string         `xml:"Delimiter"`
	EncodingType   string         `xml:"EncodingType,omitempty"`
	IsTruncated    bool           `xml:"IsTruncated"`
	NextMarker     string         `xml:"NextMarker,omitempty"`
	Contents       []listedObject `xml:"Contents"`
	CommonPrefixes []commonPrefix `xml:"CommonPrefixes"`
}

type listBucketV2Result struct {
	XMLName               xml.Name       `xml:"ListBucketResult"`
	Name                  string         `xml:"Name"`
	Prefix                string         `xml:"Prefix"`
	StartAfter            string         `xml:"StartAfter,omitempty"`
	ContinuationToken     string         `xml:"ContinuationToken,omitempty"`
	MaxKeys               int            `xml:"MaxKeys"`
	Delimiter             string         `xml:"Delimiter"`
	EncodingType          string         `xml:"EncodingType,omitempty"`
	IsTruncated           bool           `xml:"IsTruncated"`
	NextContinuationToken string         `xml:"NextContinuationToken,omitempty"`
	KeyCount              int            `xml:"KeyCount"`
	Contents              []listedObject `xml:"Contents"`
	CommonPrefixes        []commonPrefix `xml:"CommonPrefixes"`
}

type listedVersion struct {
	XMLName      xml.Name `xml:"Version"`
	Key          string   `xml:"Key"`
	VersionID    string   `xml:"VersionId"`
	IsLatest     bool     `xml:"IsLatest"`
	LastModified string   `xml:"LastModified"`
	ETag         string   `xml:"ETag"`
	Type         string   `xml:"Type"`
	Size         int64    `xml:"Size"`
	StorageClass string   `xml:"StorageClass"`
	Owner        owner    `xml:"Owner"`
	RestoreInfo  string   `xml:"RestoreInfo,omitempty"`
}

type listedDeleteMarker struct {
	XMLName      xml.Name `xml:"DeleteMarker"`
	Key          string   `xml:"Key"`
	VersionID    string   `xml:"VersionId"`
	IsLatest     bool     `xml:"IsLatest"`
	LastModified string   `xml:"LastModified"`
	Owner        owner    `xml:"Owner"`
}

type listVersionsResult struct {
	XMLName             xml.Name       `xml:"ListVersionsResult"`
	Name                string         `xml:"Name"`
	Prefix              string         `xml:"Prefix"`
	KeyMarker           string         `xml:"KeyMarker"`
	VersionIDMarker     string         `xml:"VersionIdMarker"`
	NextKeyMarker       string         `xml:"NextKeyMarker,omitempty"`
	NextVersionIDMarker string         `xml:"NextVersionIdMarker,omitempty"`
	MaxKeys             int            `xml:"MaxKeys"`
	Delimiter           string         `xml:"Delimiter"`
	EncodingType        string         `xml:"EncodingType,omitempty"`
	IsTruncated         bool           `xml:"IsTruncated"`
	Entries             []any          // listedVersion and listedDeleteMarker, in listing order; each names its element
	CommonPrefixes      []commonPrefix `xml:"CommonPrefixes"`
}

// ---- objects ----

type copyObjectResult struct {
	XMLName      xml.Name `xml:"CopyObjectResult"`
	ETag         string   `xml:"ETag"`
	LastModified string   `xml:"LastModified"`
}

type deleteRequest struct {
	Quiet   bool `xml:"Quiet"`
	Objects []struct {
		Key       string  `xml:"Key"`
		VersionID *string `xml:"VersionId"`
	} `xml:"Object"`
}

type deletedObject struct {
	Key                   string `xml:"Key"`
	VersionID             string `xml:"VersionId,omitempty"`
	DeleteMarker          bool   `xml:"DeleteMarker,omitempty"`
	DeleteMarkerVersionID string `xml:"DeleteMarkerVersionId,omitempty"`
}

type deleteMultipleResult struct {
	XMLName      xml.Name        `xml:"DeleteResult"`
	EncodingType string          `xml:"EncodingType,omitempty"`
	Deleted      []deletedObject `xml:"Deleted"`
}

type restoreRequest struct {
	Days int `xml:"Days"`
}

// ---- multipart uploads ----

type initiateMultipartUploadResult struct {
	XMLName      xml.Name `xml:"InitiateMultipartUploadResult"`
	Bucket       string   `xml:"Bucket"`
	Key          string   `xml:"Key"`
	UploadID     string   `xml:"UploadId"`
	EncodingType string   `xml:"EncodingType,omitempty"`
}

type listedPart struct {
	PartNumber    int    `xml:"PartNumber"`
	LastModified  string `xml:"LastModified"`
	ETag          string `xml:"ETag"`
	HashCrc64ecma uint64 `xml:"HashCrc64ecma"`
	Size          int64  `xml:"Size"`
}

type listPartsResult struct {
	XMLName              xml.Name     `xml:"ListPartsResult"`
	EncodingType         string       `xml:"EncodingType,omitempty"`
	Bucket               string       `xml:"Bucket"`
	Key                  string       `xml:"Key"`
	UploadID             string       `xml:"UploadId"`
	StorageClass         string       `xml:"StorageClass"`
	PartNumberMarker     int          `xml:"PartNumberMarker"`
	NextPartNumberMarker int          `xml:"NextPartNumberMarker"`
	MaxParts             int          `xml:"MaxParts"`
	IsTruncated          bool         `xml:"IsTruncated"`
	Parts                []listedPart `xml:"Part"`
}

type completeRequest struct {
	Parts []struct {
		PartNumber int    `xml:"PartNumber"`
		ETag       string `xml:"ETag"`
	} `xml:"Part"`
}

type completeMultipartUploadResult struct {
	XMLName      xml.Name `xml:"CompleteMultipartUploadResult"`
	EncodingType string   `xml:"EncodingType,omitempty"`
	Location     string   `xml:"Location"`
	Bucket       string   `xml:"Bucket"`
	Key          string   `xml:"Key"`
	ETag         string   `xml:"ETag"`
}

type listedUpload struct {
	Key       string `xml:"Key"`
	UploadID  string `xml:"UploadId"`
	Initiated string `xml:"Initiated"`
}

type listMultipartUploadsResult struct {
	XMLName            xml.Name       `xml:"ListMultipartUploadsResult"`
	EncodingType       string         `xml:"EncodingType,omitempty"`
	Bucket             string         `xml:"Bucket"`
	KeyMarker          string         `xml:"KeyMarker"`
	UploadIDMarker     string         `xml:"UploadIdMarker"`
	NextKeyMarker      string         `xml:"NextKeyMarker"`
	NextUploadIDMarker string         `xml:"NextUploadIdMarker"`
	Delimiter          string         `xml:"Delimiter"`
	Prefix             string         `xml:"Prefix"`
	MaxUploads         int            `xml:"MaxUploads"`
	IsTruncated        bool           `xml:"IsTruncated"`
	Uploads            []listedUpload `xml:"Upload"`
	CommonPrefixes     []commonPrefix `xml:"CommonPrefixes"`
}

type copyPartResult struct {
	XMLName      xml.Name `xml:"CopyPartResult"`
	LastModified string   `xml:"LastModified"`
	ETag         string   `xml:"ETag"`
}

// xmlBody is the <Error> document of e; it is written by hand because its
// elements after HostId vary with the error (Key, UploadId, StringToSign…).
func (e *ossError) xmlBody(requestID, host string) []byte {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	buf.WriteString("<Error>\n")
	field := func(name, value string) {
		buf.WriteString("  <" + name + ">")
		xml.EscapeText(&buf, []byte(value))
		buf.WriteString("</" + name + ">\n")
	}
	field("Code", e.Code)
	field("Message", e.Message)
	field("RequestId", requestID)
	field("HostId", host)
	for _, f := range e.Extra {
		field(f.Name, f.Value)
	}
	if e.EC != "" {
		field("EC", e.EC)
		field("RecommendDoc", "https://api.aliyun.com/troubleshoot?q="+e.EC)
	}
	buf.WriteString("</Error>\n")
	return buf.Bytes()
}

// writeXML answers with v; it writes nothing if v cannot be encoded (a
// server bug: only fixed structs of strings and numbers are encoded), so the
// error can still be answered.
func writeXML(w http.ResponseWriter, status int, v any) error {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	if err := xml.NewEncoder(&buf).Encode(v); err != nil {
		return errInternal(fmt.Errorf("encode response: %w", err))
	}
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	w.Write(buf.Bytes())
	return nil
}
