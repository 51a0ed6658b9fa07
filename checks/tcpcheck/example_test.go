package tcpcheck_test

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/checks/tcpcheck"
)

// A check that a TCP port accepts connections, named so that the host
// stays off the detailed routes.
func ExampleNew() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer ln.Close()

	runner := checks.NewRunner()
	defer runner.Close()
	c, err := tcpcheck.New(ln.Addr().String(), tcpcheck.Config{Name: "smtp", SlowThreshold: checks.Off})
	if err != nil {
		panic(err)
	}
	if err := runner.Register(c); err != nil {
		panic(err)
	}
	res, err := runner.Check(context.Background(), "smtp")
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Name, res.Status)

	_, err = tcpcheck.New("no-port", tcpcheck.Config{})
	fmt.Println(errors.Is(err, checks.ErrInvalidConfig))
	// Output:
	// smtp healthy
	// true
}
