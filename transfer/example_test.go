package transfer_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"ossq/internal/ossemu"
	"ossq/transfer"
)

// Open an engine over an OSS store, add a download, wait for it, close.
// The embedded OSS-compatible server on 127.0.0.1 stands in for OSS.
func Example() {
	dir, err := os.MkdirTemp("", "ossq-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	server, err := ossemu.New(ossemu.Config{Root: filepath.Join(dir, "server")})
	if err != nil {
		log.Fatal(err)
	}
	defer server.Close()
	endpoint, err := server.Start("127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	if err := server.CreateBucket("photos"); err != nil {
		log.Fatal(err)
	}
	if err := server.PutBytes("photos", "2024/cat.txt", []byte("meow\n")); err != nil {
		log.Fatal(err)
	}

	store, err := transfer.NewOSSStore(transfer.ClientOptions{Endpoint: endpoint, Region: "cn-hangzhou", Anonymous: true})
	if err != nil {
		log.Fatal(err)
	}
	engine, err := transfer.Open(store, transfer.Options{StateDir: filepath.Join(dir, "state")})
	if err != nil {
		log.Fatal(err)
	}
	dest := filepath.Join(dir, "cat.txt")
	id, err := engine.Add(transfer.Spec{Direction: transfer.Download, Bucket: "photos", Key: "2024/cat.txt", LocalPath: dest})
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	done, err := engine.Wait(ctx, id)
	if err != nil {
		log.Fatal(err)
	}
	if err := engine.Close(); err != nil {
		log.Fatal(err)
	}
	data, err := os.ReadFile(dest)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s: %d bytes, %s", done.State, done.Size, data)
	// Output: done: 5 bytes, meow
}
