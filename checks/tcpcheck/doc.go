// Package tcpcheck checks that a TCP address accepts connections: New dials
// it and closes the connection, for dependencies with no protocol-level
// probe. Messages are classes ("connection refused", "timeout"), never the
// address.
//
// # Limits
//
// A run dials and closes: nothing is read from the peer, and the dial is
// bounded by the check's Timeout.
package tcpcheck
