package sqlcheck

import (
	"context"
	"errors"
	"regexp"
	"strconv"
	"strings"

	"github.com/echofx/healthcheck/checks"
)

// sqlStater is implemented by server errors that carry an SQLSTATE:
// pgx's *pgconn.PgError, lib/pq's *pq.Error and others.
type sqlStater interface {
	error
	SQLState() string
}

var (
	// go-sql-driver/mysql's *MySQLError: "Error 1049 (42000): Unknown
	// database 'x'" (or without the SQLSTATE from servers that send none).
	reMySQL = regexp.MustCompile(`^Error (\d{1,5})(?: \(([0-9A-Z]{5})\))?: (.*)$`)
	// driver framing around a server message: "ERROR: ... (SQLSTATE 3D000)"
	// (pgx), "pq: ..." (lib/pq).
	reSeverity = regexp.MustCompile(`^(?:(?:ERROR|FATAL|PANIC):\s*|pq:\s*)`)
	reSQLState = regexp.MustCompile(`\s*\(SQLSTATE [0-9A-Z]{5}\)$`)
	// the database named in MySQL's error 1044
	reDBAccess = regexp.MustCompile(`\bto database ('[^']*')$`)
	// user 'app'@'10.0.0.1', user "app", role "app", for user app
	reUser = regexp.MustCompile(`(?i)\b(user|role)\s+('[^']*'|"[^"]*"|\x60[^\x60]*\x60)(@('[^']*'|"[^"]*"|\x60[^\x60]*\x60))?`)
)

// classify returns the public message of err and whether it is permanent;
// see New for the rules.
func (c *checker) classify(ctx context.Context, err error) (string, bool) {
	if ctx.Err() != nil {
		// Whatever the driver returned (a closed connection, an
		// interrupted read), the cause is the deadline.
		return checks.ErrorClass(ctx.Err()), false
	}
	if c.cfg.classifier != nil {
		if msg, permanent := c.cfg.classifier(err); msg != "" {
			return msg, permanent
		}
	}
	if msg, permanent, ok := serverError(err); ok {
		return msg, permanent
	}
	var se checks.SafeError
	if errors.As(err, &se) {
		return checks.Redact(se.SafeMessage()), false
	}
	if class := checks.ErrorClass(err); class != "" {
		return class, false
	}
	return "connection failed", false
}

// serverError reads a database server's error anywhere in err's chain.
func serverError(err error) (msg string, permanent, ok bool) {
	var st sqlStater
	if errors.As(err, &st) {
		msg, permanent := sqlStateMessage(st.SQLState(), st.Error())
		return msg, permanent, true
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		if m := reMySQL.FindStringSubmatch(e.Error()); m != nil {
			n, _ := strconv.Atoi(m[1])
			msg, permanent := mysqlMessage(n, m[2], m[3])
			return msg, permanent, true
		}
	}
	return "", false, false
}

// sqlStateMessage is the public text of a server error with SQLSTATE code
// whose full text is text.
func sqlStateMessage(code, text string) (string, bool) {
	switch {
	case strings.HasPrefix(code, "28"):
		// invalid_authorization_specification, invalid_password:
		// `password authentication failed for user "app"`.
		return "authentication failed", true
	case code == "53300", code == "08004":
		// too_many_connections; MySQL's server rejected the connection.
		return "too many connections", false
	}
	msg := reSQLState.ReplaceAllString(reSeverity.ReplaceAllString(text, ""), "")
	if msg = serverText(msg); msg == "" {
		msg = "server error " + code
	}
	return msg, code == "3D000" // invalid_catalog_name: no such database
}

// mysqlMessage is the public text of a MySQL or MariaDB server error.
func mysqlMessage(number int, state, text string) (string, bool) {
	switch number {
	case 1044:
		// ER_DBACCESS_DENIED_ERROR: "Access denied for user 'app'@'%' to
		// database 'x'", also when x does not exist and the user has no
		// global privilege.
		if m := reDBAccess.FindStringSubmatch(text); m != nil {
			return "access denied to database " + serverText(m[1]), true
		}
		return "authentication failed", true
	case 1045, 1698:
		// ER_ACCESS_DENIED_ERROR, ER_ACCESS_DENIED_NO_PASSWORD_ERROR:
		// "Access denied for user 'app'@'10.0.0.1' (using password: YES)".
		return "authentication failed", true
	case 1130:
		// ER_HOST_NOT_PRIVILEGED: "Host '10.0.0.1' is not allowed to
		// connect to this MariaDB server".
		return "host not allowed", true
	case 1040, 1203, 1226:
		// ER_CON_COUNT_ERROR, ER_TOO_MANY_USER_CONNECTIONS,
		// ER_USER_LIMIT_REACHED ("User 'app' has exceeded the
		// 'max_user_connections' resource").
		return "too many connections", false
	}
	msg := serverText(text)
	if msg == "" {
		msg = "server error " + strconv.Itoa(number)
		if state != "" {
			msg += " (" + state + ")"
		}
	}
	return msg, number == 1049 // ER_BAD_DB_ERROR: "Unknown database 'x'"
}

// serverText redacts a server's message for the public.
func serverText(s string) string {
	return checks.Redact(reUser.ReplaceAllString(s, "${1} ***"))
}
