// Command pgprobe exits 0 when it can connect to the PostgreSQL URL given
// as its argument and create a schema there; make test uses it to find a
// server for the PostgreSQL test run.
package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: pgprobe postgres://…")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	db, err := sql.Open("pgx", os.Args[1])
	if err == nil {
		err = db.PingContext(ctx)
	}
	if err == nil {
		_, err = db.ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS jft_probe; DROP SCHEMA jft_probe")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
