package sqlcheck_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/go-sql-driver/mysql"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/checks/sqlcheck"
)

func ExampleNew() {
	// The application's own pool, e.g. sql.Open("mysql", dsn) with its
	// driver imported; a nil one makes a check that is always unhealthy.
	var db *sql.DB
	c := sqlcheck.New(db, sqlcheck.WithName("orders-db"), sqlcheck.WithPoolThreshold(0.8))
	fmt.Println(c.Name, c.Criticality, c.Level)

	runner := checks.NewRunner()
	defer runner.Close()
	if err := runner.Register(c); err != nil {
		panic(err)
	}
	res, _ := runner.Check(context.Background(), c.Name)
	fmt.Println(res.Status, res.Message)
	// Output:
	// orders-db required basic
	// unhealthy database not configured
}

func ExampleWithClassifier() {
	// Words of the application's own for the MySQL errors it knows; the
	// rest fall to the built-in rules.
	classify := func(err error) (msg string, permanent bool) {
		var myErr *mysql.MySQLError
		if errors.As(err, &myErr) && myErr.Number == 1146 { // ER_NO_SUCH_TABLE
			return "schema not migrated", true
		}
		return "", false
	}
	var db *sql.DB // the application's
	_ = sqlcheck.New(db, sqlcheck.WithClassifier(classify))

	fmt.Println(classify(&mysql.MySQLError{Number: 1146, Message: "Table 'app.t' doesn't exist"}))
	// Output: schema not migrated true
}
