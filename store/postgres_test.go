package store_test

import (
	"context"
	"database/sql"
	"net/url"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/store"
	"github.com/stox-dev/stox/store/storetest"
)

func TestPostgres(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := store.Open(context.Background(), storetest.PostgresSchemaURL(t), "")
		require.NoError(t, err)
		return s
	})
}

// TestPostgresConcurrentOpen opens one empty database from several services at once:
// every Open succeeds and each migration is applied once.
func TestPostgresConcurrentOpen(t *testing.T) {
	ctx := context.Background()
	url := storetest.PostgresSchemaURL(t)
	const n = 6
	stores := make([]store.Store, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { stores[i], errs[i] = store.Open(ctx, url, "") })
	}
	wg.Wait()
	for i := range n {
		require.NoError(t, errs[i])
		t.Cleanup(func() { assert.NoError(t, stores[i].Close()) })
	}

	_, _, err := stores[0].PutProduct(ctx, store.NewProduct{ID: "p1", Product: product("SKU-1")})
	require.NoError(t, err)
	p, err := stores[n-1].Product(ctx, "p1")
	require.NoError(t, err, "every store sees one database")
	assert.Equal(t, "SKU-1", p.Product.SKU)

	db, err := store.PostgresDB(url)
	require.NoError(t, err)
	defer func() { _ = db.Close() }()
	assert.Equal(t, []int{1, 2, 3, 4, 5, 6, 7}, versions(t, db))
}

func TestPostgresUnreachable(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := store.Open(ctx, "postgres://postgres@127.0.0.1:1/postgres?sslmode=disable&connect_timeout=1", "")
	assert.Error(t, err)
}

func product(sku string) messages.Product {
	return messages.Product{SKU: sku, Name: "Mug", Price: 10, Stock: 1, Marketplaces: []string{messages.Amazon}}
}

func versions(t *testing.T, db *sql.DB) []int {
	t.Helper()
	rows, err := db.Query("SELECT version FROM schema_migrations ORDER BY version")
	require.NoError(t, err)
	defer func() { _ = rows.Close() }()
	var vs []int
	for rows.Next() {
		var v int
		require.NoError(t, rows.Scan(&v))
		vs = append(vs, v)
	}
	require.NoError(t, rows.Err())
	return vs
}

// TestPostgresDB checks the driver's defaults: a URL without sslmode reaches a server
// with or without TLS (libpq's "prefer", not lib/pq's "require"), JSON goes to JSONB
// as a string, and a malformed URL's error does not repeat the password.
func TestPostgresDB(t *testing.T) {
	u, err := url.Parse(storetest.PostgresSchemaURL(t))
	require.NoError(t, err)
	q := u.Query()
	q.Del("sslmode")
	u.RawQuery = q.Encode()
	db, err := store.PostgresDB(u.String())
	require.NoError(t, err)
	defer func() { _ = db.Close() }()
	var got string
	require.NoError(t, db.QueryRow(`SELECT ($1::jsonb)->>'a'`, `{"a":"b"}`).Scan(&got))
	assert.Equal(t, "b", got)

	_, err = store.PostgresDB("postgres://stox:s3cret@127.0.0.1:port/stox")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "s3cret")
}
