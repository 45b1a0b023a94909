// Package testenv finds the real services integration tests need (DESIGN.md §10):
// RabbitMQ at STOX_TEST_AMQP_URL and PostgreSQL at STOX_TEST_POSTGRES_URL, defaulting
// to the local servers. A test skips with a clear message when a server is unreachable,
// and fails instead when STOX_TEST_REQUIRE_SERVICES=1 (as CI sets).
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/url"
	"os"
	"testing"
	"time"
)

// AMQPURL returns the RabbitMQ URL for tests, or skips (or fails) the test when the
// broker is unreachable.
func AMQPURL(t testing.TB) string {
	t.Helper()
	u := env("STOX_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
	need(t, "RabbitMQ", "STOX_TEST_AMQP_URL", u, "5672")
	return u
}

// PostgresURL returns the PostgreSQL URL for tests, or skips (or fails) the test when
// the server is unreachable.
func PostgresURL(t testing.TB) string {
	t.Helper()
	u := env("STOX_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable")
	need(t, "PostgreSQL", "STOX_TEST_POSTGRES_URL", u, "5432")
	return u
}

// ManagementURL returns the RabbitMQ management API base URL for tests
// (STOX_TEST_AMQP_MANAGEMENT_URL, default http://guest:guest@127.0.0.1:15672), or skips
// (or fails) when it is unreachable.
func ManagementURL(t testing.TB) string {
	t.Helper()
	u := env("STOX_TEST_AMQP_MANAGEMENT_URL", "http://guest:guest@127.0.0.1:15672")
	need(t, "RabbitMQ management API", "STOX_TEST_AMQP_MANAGEMENT_URL", u, "15672")
	return u
}

// Unique returns a name unique to this test run, for queue prefixes, schemas and
// databases, so tests run side by side.
func Unique(prefix string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// Required reports whether tests must fail instead of skipping when a service is down.
func Required() bool { return os.Getenv("STOX_TEST_REQUIRE_SERVICES") == "1" }

func env(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func need(t testing.TB, what, key, raw, defPort string) {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("%s: %s is not a URL: %v", what, key, err)
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), defPort)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", host)
	if err != nil {
		if Required() {
			t.Fatalf("%s unreachable at %s (%s) and STOX_TEST_REQUIRE_SERVICES=1: %v", what, host, key, err)
		}
		t.Skipf("%s unreachable at %s: set %s or start it (%v)", what, host, key, err)
	}
	_ = conn.Close()
}
