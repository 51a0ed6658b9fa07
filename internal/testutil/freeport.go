package testutil

import (
	"fmt"
	"net"
)

// FreePort returns a TCP port on 127.0.0.1 that was free at the time of the
// call. The port is not reserved: another process may take it before the
// caller binds it, so launchers that use it retry on "address in use".
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("testutil: free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
