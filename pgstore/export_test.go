package pgstore

import "context"

// Maintain runs the roll-up and the retention now (tests).
func Maintain(ctx context.Context, s *Store) error { return s.maintain(ctx) }

// SchemaSQL is the embedded SQL (tests).
func SchemaSQL() string { return schemaSQL }

// Objects are the tables and indexes migrate looks for (tests).
func Objects() []string { return objects }
