package permanent_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/stox-dev/stox/permanent"
)

// marker is an error of another package that says it is permanent, or not.
type marker bool

func (m marker) Error() string   { return "marker" }
func (m marker) Permanent() bool { return bool(m) }

func TestIs(t *testing.T) {
	bad := errors.New("photo is not an image")
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"plain", bad, false},
		{"wrapped", permanent.Wrap(bad), true},
		{"formatted", permanent.Errorf("decode %s: %w", "m1", bad), true},
		{"wrapped again", fmt.Errorf("stage: %w", permanent.Wrap(bad)), true},
		{"joined", errors.Join(context.Canceled, permanent.Wrap(bad)), true},
		{"another package's permanent error", fmt.Errorf("call: %w", marker(true)), true},
		{"another package's transient error", marker(false), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, permanent.Is(tt.err))
		})
	}
}

func TestWrapKeepsTheError(t *testing.T) {
	assert.NoError(t, permanent.Wrap(nil))

	err := permanent.Errorf("decode %s: %w", "m1", context.DeadlineExceeded)
	assert.EqualError(t, err, "decode m1: context deadline exceeded")
	assert.ErrorIs(t, err, context.DeadlineExceeded, "the cause stays reachable")
}
