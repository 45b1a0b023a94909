package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/lib/pq"
	// Register the "sqlite" database/sql driver.
	_ "modernc.org/sqlite"
)

// SQLiteFile is the name of the SQLite database Open creates in the data directory.
const SQLiteFile = "stox.db"

// sqliteBusyTimeout is how long a SQLite connection waits for another process's lock.
const sqliteBusyTimeout = 10 * time.Second

// Stores is what Open returns: the catalog, the stock ledger, the marketplace
// services' outboxes and the taxonomy, kept in one database. Code that needs only some
// of them takes the narrower interface.
type Stores interface {
	Store
	Inventory
	Outbox
	Taxonomy
	Counter
	Importer
	Searcher
}

var _ Stores = (*sqlStore)(nil)

// Open opens the database and applies pending migrations. A postgres:// or
// postgresql:// URL opens PostgreSQL (runtime parameters in the query, such as
// search_path, are passed to the server); an empty URL opens SQLite at
// <dataDir>/stox.db, creating the directory when missing.
func Open(ctx context.Context, databaseURL, dataDir string) (Stores, error) {
	switch {
	case databaseURL == "":
		return openSQLite(ctx, filepath.Join(dataDir, SQLiteFile))
	case strings.HasPrefix(databaseURL, "postgres://"), strings.HasPrefix(databaseURL, "postgresql://"):
		return openPostgres(ctx, databaseURL)
	default:
		scheme := "none"
		if u, err := url.Parse(databaseURL); err == nil && u.Scheme != "" {
			scheme = u.Scheme
		}
		return nil, fmt.Errorf("open store: database URL scheme %q is not supported: want postgres:// or postgresql://, or an empty URL for SQLite", scheme)
	}
}

// PostgresDB opens a database/sql handle on the PostgreSQL database at databaseURL
// with the store's driver, lib/pq (pgx, with its type system, was 3 MB of the 28 MB
// binary). Without an sslmode in the URL or PGSSLMODE it tries TLS and goes on
// without it when the server has none, libpq's default ("prefer"), where lib/pq alone
// would require TLS. Statements with arguments go in one round trip (lib/pq's
// binary_parameters; two without it), which sends []byte arguments in binary: JSON
// goes to JSONB columns as a string, as the store already passes it.
func PostgresDB(databaseURL string) (*sql.DB, error) {
	// url.Parse's error quotes the whole URL, password included: keep only its cause.
	if _, err := url.Parse(databaseURL); err != nil {
		if e, ok := errors.AsType[*url.Error](err); ok {
			err = e.Err
		}
		return nil, fmt.Errorf("postgres URL: %w", err)
	}
	cfg, err := pq.NewConfig(databaseURL)
	if err != nil {
		return nil, err
	}
	if cfg.SSLMode == "" {
		cfg.SSLMode = pq.SSLModePrefer
	}
	cfg.BinaryParameters = true
	c, err := pq.NewConnectorConfig(cfg)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(c), nil
}

func openPostgres(ctx context.Context, databaseURL string) (Stores, error) {
	db, err := PostgresDB(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(4)
	db.SetConnMaxIdleTime(5 * time.Minute)
	s := &sqlStore{w: db, r: db, d: postgresDialect, now: time.Now}
	if err := s.start(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	return s, nil
}

// openSQLite opens two pools on one file: a single writer connection, whose
// transactions begin IMMEDIATE so they never fail with SQLITE_BUSY half way through,
// and readers, which WAL lets run beside the writer.
func openSQLite(ctx context.Context, path string) (Stores, error) {
	if strings.ContainsRune(path, '?') {
		return nil, fmt.Errorf("open sqlite %s: the path may not contain '?'", path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	common := fmt.Sprintf("_busy_timeout=%d&_foreign_keys=1", sqliteBusyTimeout.Milliseconds())
	w, err := sql.Open("sqlite", path+"?"+common+"&_journal_mode=WAL&_synchronous=NORMAL&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)

	s := &sqlStore{w: w, r: w, d: sqliteDialect, now: time.Now}
	// Migrate through the writer first: it switches the file to WAL before any
	// reader connects.
	if err := s.start(ctx); err != nil {
		_ = w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}

	r, err := sql.Open("sqlite", path+"?"+common+"&_query_only=1")
	if err != nil {
		_ = w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	r.SetMaxOpenConns(max(4, runtime.GOMAXPROCS(0)))
	r.SetMaxIdleConns(max(4, runtime.GOMAXPROCS(0)))
	if err := r.PingContext(ctx); err != nil {
		_ = errors.Join(w.Close(), r.Close())
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	s.r = r
	return s, nil
}

// start checks the connection and applies pending migrations.
func (s *sqlStore) start(ctx context.Context) error {
	if err := s.w.PingContext(ctx); err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	if err := migrate(ctx, s.w, s.d); err != nil {
		return err
	}
	return nil
}
