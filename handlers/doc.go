// Package handlers holds no code: each sub-package is one stage's business logic.
// Handlers take a context and a typed message and return a typed result and an error.
// They never see the broker, ack, nack or JSON; an error that retrying cannot fix is
// marked with package permanent, so the message goes straight to its poison queue.
package handlers
