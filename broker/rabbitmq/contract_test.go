package rabbitmq_test

import (
	"os"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/pubsub/tests"

	"github.com/stox-dev/stox/broker"
	"github.com/stox-dev/stox/broker/brokertest"
	"github.com/stox-dev/stox/broker/rabbitmq"
	"github.com/stox-dev/stox/broker/rabbitmq/rabbitmqtest"
	"github.com/stox-dev/stox/internal/testenv"
	"github.com/stox-dev/stox/topology"
)

// TestContract runs the broker contract suite, Watermill's TestPubSub included, on
// RabbitMQ with the production queue arguments (TTL, x-max-length 10000 with
// reject-publish, dead-lettering), on classic and on quorum queues, whose redeliveries
// carry x-delivery-count (TestResendOnError and TestContinueAfterErrors would loop
// forever with watermill-amqp's default marshaler).
//
// TestPubSub runs with its short message counts (ForceShort) so the package stays
// fast; STOX_TEST_PUBSUB_FULL=1 runs the full counts (TestPublisherClose then fills a
// queue to exactly its 10000 limit).
func TestContract(t *testing.T) {
	url := testenv.AMQPURL(t)
	for _, quorum := range []bool{false, true} {
		t.Run(map[bool]string{false: "classic", true: "quorum"}[quorum], func(t *testing.T) {
			t.Parallel()
			brokertest.Run(t, brokertest.Harness{
				Open: func(t testing.TB, topo *topology.Topology, closeTimeout time.Duration) (broker.Broker, error) {
					return rabbitmqtest.Open(t, url, topo, rabbitmq.Config{CloseTimeout: closeTimeout})
				},
				Quorum: quorum,
				Features: tests.Features{
					ConsumerGroups:      true,
					ExactlyOnceDelivery: false,
					// One queue delivers in order to a single consumer that acks in order.
					GuaranteedOrder:                     true,
					GuaranteedOrderWithSingleSubscriber: true,
					Persistent:                          true,
					ForceShort:                          os.Getenv("STOX_TEST_PUBSUB_FULL") != "1",
				},
			})
		})
	}
}
