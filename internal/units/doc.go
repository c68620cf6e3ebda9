// Package units reads and writes byte sizes, speeds and remaining times for
// people, one way for the whole of ossq (config file, flags, TUI, CLI,
// engine messages). It imports only the standard library.
//
// One meaning of the units everywhere: K, KB and KiB are all 1024 bytes, M,
// MB and MiB 1024², and so on, as ossutil, rclone and the OSS documents use
// them ("100 KB" is OSS's 102,400-byte minimum part). Output always uses the
// binary names: "1.0 KiB", "12.3 MiB", "512 GiB".
package units
