package faults_test

import (
	"os"
	"runtime"
	"strconv"
	"strings"
)

// numGoroutine counts the goroutines outside the proxy (whose own come and
// go with its links, and may stay blocked: see ignoreToxics).
func numGoroutine() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	count := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.HasPrefix(g, "goroutine ") && !strings.Contains(g, "github.com/Shopify/toxiproxy/") {
			count++
		}
	}
	return count
}

// connsTo counts the TCP connections of this machine whose remote port is
// port (the proxy's listener: the library's side of every proxied
// connection), in any state but TIME_WAIT, CLOSE and LISTEN, from
// /proc/net/tcp and tcp6; -1 when they cannot be read (not Linux).
func connsTo(port int) int {
	n, read := 0, false
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		read = true
		lines := strings.Split(string(b), "\n")
		for _, line := range lines[1:] {
			fields := strings.Fields(line)
			if len(fields) < 4 {
				continue
			}
			rem := fields[2]
			i := strings.LastIndexByte(rem, ':')
			p, err := strconv.ParseUint(rem[i+1:], 16, 32)
			if err != nil || int(p) != port {
				continue
			}
			switch fields[3] {
			case "06", "07", "0A": // TIME_WAIT, CLOSE, LISTEN
				continue
			}
			n++
		}
	}
	if !read {
		return -1
	}
	return n
}
