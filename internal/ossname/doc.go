// Package ossname holds OSS's naming rules and limits in one place: the
// oss://BUCKET/KEY address, bucket names, object keys, part sizes and counts,
// and how many parts may be in flight. It imports only the standard library,
// so main, config, cli, ui and transfer can all share it.
package ossname
