package testutil

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
)

// redisConn is the least of a RESP client needed to probe a Redis server:
// commands go out as arrays of bulk strings and only simple replies (status,
// error, integer) are understood.
type redisConn struct {
	conn net.Conn
	r    *bufio.Reader
}

func dialRedis(ctx context.Context, addr string) (*redisConn, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(deadline)
	}
	return &redisConn{conn: conn, r: bufio.NewReader(conn)}, nil
}

func (c *redisConn) Close() error { return c.conn.Close() }

// do sends a command and returns its status or integer reply as text; an
// error reply becomes an error.
func (c *redisConn) do(args ...string) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := c.conn.Write([]byte(b.String())); err != nil {
		return "", err
	}
	line, err := c.r.ReadString('\n')
	if err != nil {
		return "", err
	}
	line = strings.TrimSuffix(line, "\r\n")
	if line == "" {
		return "", errors.New("redis: empty reply")
	}
	switch line[0] {
	case '+', ':':
		return line[1:], nil
	case '-':
		return "", errors.New("redis: " + line[1:])
	default:
		return "", fmt.Errorf("redis: unexpected reply %s", strconv.Quote(line))
	}
}

// redisPing connects to addr, authenticates with password unless it is
// empty, and expects PONG to a PING.
func redisPing(ctx context.Context, addr, password string) error {
	c, err := dialRedis(ctx, addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if password != "" {
		if _, err := c.do("AUTH", password); err != nil {
			return err
		}
	}
	reply, err := c.do("PING")
	if err != nil {
		return err
	}
	if reply != "PONG" {
		return fmt.Errorf("redis: PING answered %q", reply)
	}
	return nil
}
