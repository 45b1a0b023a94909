// Package handlers holds what every stage's handler shares; one sub-package per stage
// holds its business logic. Handlers take a context and a typed message and return a
// typed result and an error. They never see the broker, ack, nack or JSON.
package handlers

import (
	"errors"
	"fmt"
)

// permanentError marks an error that retrying cannot fix.
type permanentError struct{ err error }

func (e permanentError) Error() string   { return e.err.Error() }
func (e permanentError) Unwrap() error   { return e.err }
func (e permanentError) Permanent() bool { return true }

// Permanent marks err as one that retrying cannot fix (a malformed payload, an image
// that cannot be decoded), so the message goes straight to its poison queue.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

// Permanentf is Permanent(fmt.Errorf(format, args...)).
func Permanentf(format string, args ...any) error {
	return Permanent(fmt.Errorf(format, args...))
}

// IsPermanent reports whether err, or an error it wraps, was marked permanent.
func IsPermanent(err error) bool {
	var p interface{ Permanent() bool }
	return errors.As(err, &p) && p.Permanent()
}
