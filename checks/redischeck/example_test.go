package redischeck_test

import (
	"context"
	"fmt"
	"net"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/checks/redischeck"
)

// The RESP check from code, for a service without a Redis client of its
// own (a service with one checks it through that client: redishealth). The
// address here refuses connections, so the check is unhealthy and says why
// without showing the address.
func ExampleNew() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there any more

	runner := checks.NewRunner()
	defer runner.Close()
	c, err := redischeck.New(addr, redischeck.Config{Password: "secret"})
	if err != nil {
		panic(err)
	}
	if err := runner.Register(c); err != nil {
		panic(err)
	}
	res, err := runner.Check(context.Background(), "redis")
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Name, res.Status, res.Message)
	// Output: redis unhealthy connection refused
}
