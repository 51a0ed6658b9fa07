// Command example is a small service that shows the healthcheck module at
// work: an fx app with Echo on HTTP_ADDR (default :8788), a PostgreSQL pool
// (DATABASE_URL, or an embedded throwaway PostgreSQL when unset), /metrics,
// and healthfx.Module with the database check, optional Redis and external
// API checks, and one business check.
//
//	go run ./example              run the service
//	go run ./example probe [URL]  exit 0 if URL (default
//	                              http://127.0.0.1:8788/healthcheck/) answers 2xx,
//	                              1 otherwise: a curl for images without a shell
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "probe" {
		os.Exit(probe(os.Args[2:], os.Stdout))
	}
	if len(os.Args) > 1 {
		fmt.Fprintf(os.Stderr, "usage: %s [probe [URL]]\n", os.Args[0])
		os.Exit(2)
	}
	os.Exit(serve())
}
