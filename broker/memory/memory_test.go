package memory_test

import (
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/pubsub/tests"

	"github.com/stox-dev/stox/broker"
	"github.com/stox-dev/stox/broker/brokertest"
	"github.com/stox-dev/stox/broker/memory"
	"github.com/stox-dev/stox/topology"
)

// TestContract runs the broker contract suite, Watermill's TestPubSub included, on
// the in-memory broker.
func TestContract(t *testing.T) {
	brokertest.Run(t, brokertest.Harness{
		Open: func(t testing.TB, topo *topology.Topology, closeTimeout time.Duration) (broker.Broker, error) {
			b := memory.New(topo)
			b.CloseTimeout = closeTimeout
			t.Cleanup(func() { _ = b.Close() })
			return b, nil
		},
		Features: tests.Features{
			ConsumerGroups:      true,
			ExactlyOnceDelivery: false,
			// A queue is a FIFO buffer; a nacked message goes back to its end.
			GuaranteedOrder:                     true,
			GuaranteedOrderWithSingleSubscriber: true,
			// Publishers and subscribers come and go over one broker, whose queues keep
			// their messages meanwhile; a crash of the process loses them, which these
			// tests do not try.
			Persistent: true,
		},
	})
}
