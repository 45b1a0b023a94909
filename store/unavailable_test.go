package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/store"
	"github.com/stox-dev/stox/store/storetest"
)

// TestUnavailablePostgres cuts a real PostgreSQL connection: reads and writes fail
// with errors Unavailable recognises, on pooled connections and on new ones, and
// succeed again once the server is back. Errors of the caller are not unavailability.
func TestUnavailablePostgres(t *testing.T) {
	ctx := context.Background()
	s, p := storetest.PostgresThroughProxy(t)
	_, _, err := s.PutProduct(ctx, store.NewProduct{ID: "p1", Product: product("SKU-1")})
	require.NoError(t, err)

	p.Cut()
	// The first call may find a pooled connection the cut closed, the next ones dial.
	for i := range 3 {
		_, err = s.Product(ctx, "p1")
		require.Error(t, err)
		assert.True(t, store.Unavailable(err), "read %d: %v", i, err)
		_, _, err = s.PutProduct(ctx, store.NewProduct{ID: "p2", Product: product("SKU-2")})
		require.Error(t, err)
		assert.True(t, store.Unavailable(err), "write %d: %v", i, err)
	}

	p.Restore()
	got, err := s.Product(ctx, "p1")
	require.NoError(t, err)
	assert.Equal(t, "SKU-1", got.Product.SKU)

	_, err = s.Product(ctx, "nope")
	assert.ErrorIs(t, err, store.ErrNotFound)
	assert.False(t, store.Unavailable(err), "not found is an answer")
	_, err = s.Products(ctx, 0, "")
	assert.False(t, store.Unavailable(err), "a bad argument is a bug: %v", err)
}

// TestUnavailableClassifies checks errors that are not from a cut connection.
func TestUnavailableClassifies(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := store.Open(ctx, "postgres://postgres@127.0.0.1:1/postgres?sslmode=disable&connect_timeout=2", "")
	require.Error(t, err)
	assert.True(t, store.Unavailable(err), "connection refused: %v", err)

	db, err := store.PostgresDB(storetest.PostgresSchemaURL(t))
	require.NoError(t, err)
	defer func() { _ = db.Close() }()
	_, err = db.ExecContext(ctx, "SELEC 1")
	require.Error(t, err)
	assert.False(t, store.Unavailable(err), "a syntax error is a bug: %v", err)
	_, err = db.ExecContext(ctx, "SELECT $1::text", "a\x00b")
	require.Error(t, err)
	assert.False(t, store.Unavailable(err), "a NUL in text is bad input: %v", err)

	assert.True(t, store.Unavailable(fmt.Errorf("save: %w", store.ErrUnavailable)))
	assert.False(t, store.Unavailable(errors.New("disk full")))
	assert.False(t, store.Unavailable(nil))
	cancel()
	assert.False(t, store.Unavailable(ctx.Err()), "the caller gave up")
}

// TestUnavailableSQLiteBusy holds SQLite's write lock from another connection: a write
// that cannot get it fails with "database is locked", which Unavailable recognises.
func TestUnavailableSQLiteBusy(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := store.Open(ctx, "", dir)
	require.NoError(t, err)
	require.NoError(t, s.Close())

	path := filepath.Join(dir, store.SQLiteFile)
	holder, err := sql.Open("sqlite", path+"?_busy_timeout=0")
	require.NoError(t, err)
	defer func() { _ = holder.Close() }()
	conn, err := holder.Conn(ctx)
	require.NoError(t, err)
	defer func() { _ = conn.Close() }()
	_, err = conn.ExecContext(ctx, "BEGIN IMMEDIATE")
	require.NoError(t, err)
	defer func() { _, _ = conn.ExecContext(ctx, "ROLLBACK") }()

	writer, err := sql.Open("sqlite", path+"?_busy_timeout=0")
	require.NoError(t, err)
	defer func() { _ = writer.Close() }()
	_, err = writer.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'x', 'x')")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "database is locked")
	assert.True(t, store.Unavailable(err), "%v", err)
}
