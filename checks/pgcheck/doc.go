// Package pgcheck checks PostgreSQL through the application's own
// *pgxpool.Pool: New runs SELECT 1 on a pooled connection (never a
// connection or DSN of its own), reads the pool's saturation, and reports
// the server's own message for a missing database and "authentication
// failed" for a wrong password or role, marked permanent so that the
// startup gate stops at once. Messages never carry the DSN, user, password
// or host.
//
// # Limits
//
// The check runs on the application's own pool: one acquire and one
// SELECT 1 whose answer is one row, bounded by the check's Timeout (the
// acquire too; a pool found exhausted is reported without queueing behind
// the application, see New).
// What a lying server's message may cost is the driver's bound (pgx reads
// messages of at most 1 GiB), which the check does not change because the
// pool is the application's.
package pgcheck
