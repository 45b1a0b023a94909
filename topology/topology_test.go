package topology

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/messages"
)

func TestRoute(t *testing.T) {
	topo := New("p.", false, messages.Marketplaces)
	cases := []struct {
		name     string
		exchange string
		key      string
		want     []string
	}{
		{"upload", "p.stox.images", "image.upload", []string{"p.image_uploads"}},
		{"process", "p.stox.images", "image.process", []string{"p.ai_processing"}},
		{"enhanced", "p.stox.images", "image.enhanced", []string{"p.seo_generation"}},
		{"unbound topic key", "p.stox.images", "image.other", nil},
		{"listing fanout", "p.stox.marketplaces", "", []string{"p.amazon_listings", "p.trendyol_listings", "p.hepsiburada_listings"}},
		{"fanout ignores key", "p.stox.inventory", "whatever", []string{"p.amazon_stock", "p.trendyol_stock", "p.hepsiburada_stock"}},
		{"direct order", "p.stox.orders", "order.trendyol", []string{"p.trendyol_orders"}},
		{"direct unknown key", "p.stox.orders", "order.ebay", nil},
		{"poison", "p.stox.poison", "p.ai_processing", []string{"p.ai_processing.poison"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := topo.Route(c.exchange, c.key)
			require.NoError(t, err)
			assert.ElementsMatch(t, c.want, got)
		})
	}
	_, err := topo.Route("nope", "x")
	assert.Error(t, err)
}

// TestPrefix: STOX_PREFIX is joined to every name with a dot, given with or without it.
func TestPrefix(t *testing.T) {
	for _, prefix := range []string{"nc", "nc."} {
		topo := New(prefix, false, messages.Marketplaces)
		assert.Equal(t, "nc.stox.images", topo.Name(ExchangeImages), "prefix %q", prefix)
		assert.Equal(t, "nc.ai_processing", topo.Name(QueueAIProcessing), "prefix %q", prefix)
		for _, e := range topo.Exchanges {
			assert.Regexp(t, `^nc\.stox\.`, e.Name, "prefix %q", prefix)
		}
		for _, q := range topo.Queues {
			assert.Regexp(t, `^nc\.[a-z]`, q.Name, "prefix %q", prefix)
			for _, b := range q.Bindings {
				assert.Regexp(t, `^nc\.stox\.`, b.Exchange, "prefix %q", prefix)
			}
		}
	}
	assert.Equal(t, "stox.images", New("", false, nil).Name(ExchangeImages), "no prefix")
}

func TestTopicMatch(t *testing.T) {
	cases := []struct {
		pattern, key string
		want         bool
	}{
		{"image.upload", "image.upload", true},
		{"image.*", "image.upload", true},
		{"image.*", "image.upload.x", false},
		{"image.#", "image.upload.x", true},
		{"image.#", "image", true},
		{"#", "", true},
		{"*.upload", "image.upload", true},
		{"*", "", false},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, topicMatch(c.pattern, c.key), "%q ~ %q", c.pattern, c.key)
	}
}

func TestArguments(t *testing.T) {
	topo := New("", false, messages.Marketplaces)
	q, ok := topo.Queue("ai_processing")
	require.True(t, ok)
	args := topo.Arguments(q)
	assert.Equal(t, map[string]any{
		"x-queue-type": "classic", "x-message-ttl": MessageTTL, "x-max-length": MaxLength,
		"x-overflow": "reject-publish", "x-dead-letter-exchange": "stox.poison",
		"x-dead-letter-routing-key": "ai_processing",
	}, args)
	p, ok := topo.Queue("ai_processing.poison")
	require.True(t, ok)
	assert.Equal(t, map[string]any{"x-queue-type": "classic"}, topo.Arguments(p), "poison queues keep everything")
	assert.Equal(t, "quorum", New("", true, messages.Marketplaces).Arguments(q)["x-queue-type"])
	// every work queue has its poison queue
	assert.Len(t, topo.PoisonQueues(), len(topo.Queues)/2)
}

// TestDefinitionsFile fails when docker/rabbitmq/definitions.json drifts from the
// topology; regenerate it with `make definitions`.
func TestDefinitionsFile(t *testing.T) {
	want, err := New("", false, messages.Marketplaces).Definitions()
	require.NoError(t, err)
	got, err := os.ReadFile(filepath.Join("..", "docker", "rabbitmq", "definitions.json"))
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got), "docker/rabbitmq/definitions.json is stale: run make definitions")
}
