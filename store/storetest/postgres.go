package storetest

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/stox-dev/stox/internal/testenv"
	"github.com/stox-dev/stox/store"
)

// PostgresSchemaURL returns the test PostgreSQL URL (testenv.PostgresURL) with its
// search_path set to a new, empty schema, which is dropped when the test ends, so
// tests share one server side by side. It skips (or fails) the test when the server
// is unreachable.
func PostgresSchemaURL(t testing.TB) string {
	t.Helper()
	base := testenv.PostgresURL(t)
	schema := testenv.Unique("stox_test_")

	db, err := store.PostgresDB(base)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+quote(schema)); err != nil {
		_ = db.Close()
		t.Fatalf("create schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		defer func() { _ = db.Close() }()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := db.ExecContext(ctx, "DROP SCHEMA "+quote(schema)+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})

	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse postgres URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func quote(ident string) string { return `"` + ident + `"` }

// PostgresThroughProxy opens a store on a new schema of the test server (as
// PostgresSchemaURL), reached through a loopback proxy the test can cut to make a real
// outage; the store is closed when the test ends.
func PostgresThroughProxy(t testing.TB) (store.Stores, *testenv.Proxy) {
	t.Helper()
	u, err := url.Parse(PostgresSchemaURL(t))
	if err != nil {
		t.Fatalf("parse postgres URL: %v", err)
	}
	p := testenv.NewProxy(t, u.Host)
	u.Host = p.Addr()
	q := u.Query()
	q.Set("connect_timeout", "2")
	u.RawQuery = q.Encode()
	st, err := store.Open(context.Background(), u.String(), "")
	if err != nil {
		t.Fatalf("open postgres through a proxy: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st, p
}
