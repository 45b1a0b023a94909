package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/lib/pq"
	"modernc.org/sqlite"
)

// dialect is everything that differs between the engines. The SQL itself is shared:
// both engines take $N placeholders, ON CONFLICT … DO UPDATE, RETURNING and row values.
type dialect struct {
	// name selects the migrations under migrations/<name>.
	name string
	// migrationsTable creates the table that records applied migrations.
	migrationsTable string
	// lockMigrations runs first in the migration transaction, so that services
	// starting together apply each migration once. Empty when the engine's
	// transaction already excludes other writers.
	lockMigrations string
	// lockProduct follows "SELECT … FROM products WHERE id = $1" in a write
	// transaction to serialize writes to one product. Empty when the engine has a
	// single writer anyway.
	lockProduct string
	// skipLocked, after a subquery's LIMIT, locks the rows of table alias t it selects
	// and skips rows other transactions hold: two replicas claim different rows. Empty
	// when the engine has a single writer anyway.
	skipLocked func(t string) string
	// readTx are the options of a read transaction: one consistent snapshot.
	readTx *sql.TxOptions
	// time converts a UTC time into the value the engine stores.
	time func(time.Time) any
}

// sqliteTimeLayout is fixed width, so SQLite compares stored times as text in time order.
const sqliteTimeLayout = "2006-01-02T15:04:05.000000Z"

var sqliteDialect = dialect{
	name: "sqlite",
	migrationsTable: `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TEXT NOT NULL
	)`,
	readTx:     &sql.TxOptions{ReadOnly: true},
	skipLocked: func(string) string { return "" },
	time:       func(t time.Time) any { return t.UTC().Format(sqliteTimeLayout) },
}

// migrationLockKey is the PostgreSQL advisory lock key taken while migrating ("STOX").
const migrationLockKey = 0x53544f58

var postgresDialect = dialect{
	name: "postgres",
	migrationsTable: `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TIMESTAMPTZ NOT NULL
	)`,
	lockMigrations: "SELECT pg_advisory_xact_lock(" + strconv.Itoa(migrationLockKey) + ")",
	lockProduct:    " FOR UPDATE",
	skipLocked:     func(t string) string { return " FOR UPDATE OF " + t + " SKIP LOCKED" },
	readTx:         &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true},
	time:           func(t time.Time) any { return t.UTC() },
}

// ErrUnavailable marks an error that means the database could not be reached or
// cannot serve now (an outage, a restart, a lock held too long), not that the request
// or the data is wrong: the same call may succeed later. Code outside the store may
// wrap it (fmt.Errorf("…: %w", store.ErrUnavailable)); Unavailable recognises it and
// the drivers' own errors of that kind.
var ErrUnavailable = errors.New("database unavailable")

// SQLite's primary result codes for a database locked by another connection.
const (
	sqliteBusy   = 5
	sqliteLocked = 6
)

// Unavailable reports whether err means the database is unavailable rather than that
// something is wrong with the request or the code: an error wrapping ErrUnavailable;
// a PostgreSQL connection that could not be made or broke (refused, reset, closed, a
// network timeout, SQLSTATE class 08, 53300 too many connections, 57P01–57P03 the
// server shutting down or starting); a SQLite database that stayed locked (SQLITE_BUSY,
// SQLITE_LOCKED). A cancelled context is not unavailability: the caller gave up.
func Unavailable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	if errors.Is(err, ErrUnavailable) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	if e, ok := errors.AsType[*pq.Error](err); ok {
		return strings.HasPrefix(string(e.Code), "08") || e.Code == "53300" ||
			e.Code == "57P01" || e.Code == "57P02" || e.Code == "57P03"
	}
	if e, ok := errors.AsType[*sqlite.Error](err); ok {
		code := e.Code() & 0xff // the primary result code
		return code == sqliteBusy || code == sqliteLocked
	}
	// A network error of the connection: a timeout, or a read or dial that failed.
	if e, ok := errors.AsType[*net.OpError](err); ok {
		return e.Timeout() || e.Op == "dial" || e.Op == "read" || e.Op == "write"
	}
	return errors.Is(err, context.DeadlineExceeded)
}
