// Command ossq is a terminal application for Alibaba Cloud Object Storage
// Service: browse buckets, queue resumable downloads and uploads, watch every
// part move. main only parses flags and wires the packages together.
package main
