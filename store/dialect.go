package store

import (
	"database/sql"
	"strconv"
	"time"
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
	readTx: &sql.TxOptions{ReadOnly: true},
	time:   func(t time.Time) any { return t.UTC().Format(sqliteTimeLayout) },
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
	readTx:         &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true},
	time:           func(t time.Time) any { return t.UTC() },
}
