// Package permanent marks errors that retrying cannot fix (a malformed payload, an
// image that cannot be decoded), so the message that caused one goes straight to its
// poison queue. Handlers mark them; the middleware reads the mark.
package permanent

import (
	"errors"
	"fmt"
)

// marked is an error that retrying cannot fix.
type marked struct{ err error }

func (e marked) Error() string   { return e.err.Error() }
func (e marked) Unwrap() error   { return e.err }
func (e marked) Permanent() bool { return true }

// Wrap marks err as one that retrying cannot fix. It returns nil for nil.
func Wrap(err error) error {
	if err == nil {
		return nil
	}
	return marked{err}
}

// Errorf is Wrap(fmt.Errorf(format, args...)).
func Errorf(format string, args ...any) error {
	return Wrap(fmt.Errorf(format, args...))
}

// Is reports whether err, or an error it wraps, was marked permanent: by Wrap or
// Errorf, or by any error with a Permanent() bool method that returns true.
func Is(err error) bool {
	var p interface{ Permanent() bool }
	return errors.As(err, &p) && p.Permanent()
}
