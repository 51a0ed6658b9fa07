package healthfx

// The tests reach these unexported helpers through healthfx_test.
var (
	ParseDuration = parseDuration
	Variables     = variables
)
