// Package pgcheck checks PostgreSQL through the application's own
// *pgxpool.Pool: New runs SELECT 1 on a pooled connection (never a
// connection or DSN of its own), reads the pool's saturation, and reports
// the server's own message for a missing database and "authentication
// failed" for a wrong password or role, marked permanent so that the
// startup gate stops at once. Messages never carry the DSN, user, password
// or host.
package pgcheck
