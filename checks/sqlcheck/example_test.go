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
	// A nil pool is a configuration error.
	var db *sql.DB
	_, err := sqlcheck.New(db, sqlcheck.Config{})
	fmt.Println(errors.Is(err, checks.ErrInvalidConfig))

	// The application's own pool, with its driver imported; nothing listens
	// on port 1.
	db, err = sql.Open("mysql", "app:secret@tcp(127.0.0.1:1)/app")
	if err != nil {
		panic(err)
	}
	defer db.Close()
	c, err := sqlcheck.New(db, sqlcheck.Config{Name: "orders-db", PoolThreshold: 0.8})
	if err != nil {
		panic(err)
	}
	fmt.Println(c.Name, c.Criticality, c.Level)

	runner := checks.NewRunner()
	defer runner.Close()
	if err := runner.Register(c); err != nil {
		panic(err)
	}
	res, _ := runner.Check(context.Background(), c.Name)
	fmt.Println(res.Status, res.Message)
	// Output:
	// true
	// orders-db required basic
	// unhealthy connection refused
}

func ExampleClassifier() {
	// Words of the application's own for the MySQL errors it knows; the
	// rest fall to the built-in rules.
	classify := func(err error) (msg string, permanent bool) {
		var myErr *mysql.MySQLError
		if errors.As(err, &myErr) && myErr.Number == 1146 { // ER_NO_SUCH_TABLE
			return "schema not migrated", true
		}
		return "", false
	}
	_ = sqlcheck.Config{Classifier: classify} // with the application's *sql.DB: sqlcheck.New(db, cfg)

	fmt.Println(classify(&mysql.MySQLError{Number: 1146, Message: "Table 'app.t' doesn't exist"}))
	// Output: schema not migrated true
}
