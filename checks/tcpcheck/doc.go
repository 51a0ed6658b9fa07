// Package tcpcheck checks that a TCP address accepts connections: New dials
// it and closes the connection, for dependencies with no protocol-level
// probe. Messages are classes ("connection refused", "timeout"), never the
// address.
package tcpcheck
