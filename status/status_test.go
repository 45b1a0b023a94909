package status

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestQuantile(t *testing.T) {
	// 10 observations: 4 up to 0.1 s, 4 more up to 0.5 s, 2 more up to 1 s.
	h := &histogram{count: 10, buckets: map[float64]uint64{0.1: 4, 0.5: 8, 1: 10}}
	for _, tt := range []struct {
		q, want float64
	}{
		{0.2, 0.05},   // rank 2 of 4 in [0, 0.1]
		{0.5, 0.2},    // rank 5: 1 of 4 into [0.1, 0.5]
		{0.9, 0.75},   // rank 9: 1 of 2 into [0.5, 1]
		{0.99, 0.975}, // rank 9.9: 1.9 of 2 into [0.5, 1]
	} {
		got := h.quantile(tt.q)
		require.NotNil(t, got)
		assert.InDelta(t, tt.want, *got, 1e-9, "q=%v", tt.q)
	}
	// past the last finite bound: that bound, as histogram_quantile answers
	over := &histogram{count: 4, buckets: map[float64]uint64{1: 2, 2: 2}}
	assert.Equal(t, 2.0, *over.quantile(0.9))
	assert.Nil(t, (&histogram{}).quantile(0.5), "nothing observed")
	assert.Nil(t, (*histogram)(nil).quantile(0.5))
}

func TestMetricsFromScrapes(t *testing.T) {
	// two replicas of trendyol and one ai process, as their /metrics read
	exposition := []string{`
# TYPE stox_stage_messages_total counter
stox_stage_messages_total{service="ai",handler="enhance",outcome="ok"} 7
stox_stage_messages_total{service="ai",handler="enhance",outcome="poisoned"} 1
# TYPE stox_stage_duration_seconds histogram
stox_stage_duration_seconds_bucket{service="ai",handler="enhance",le="1"} 4
stox_stage_duration_seconds_bucket{service="ai",handler="enhance",le="2"} 8
stox_stage_duration_seconds_bucket{service="ai",handler="enhance",le="+Inf"} 8
stox_stage_duration_seconds_sum{service="ai",handler="enhance"} 9
stox_stage_duration_seconds_count{service="ai",handler="enhance"} 8
`, `
# TYPE stox_marketplace_requests_total counter
stox_marketplace_requests_total{marketplace="trendyol",method="GET",code="200"} 10
stox_marketplace_requests_total{marketplace="trendyol",method="GET",code="429"} 2
# TYPE stox_listings gauge
stox_listings{marketplace="trendyol",state="accepted"} 5
`, `
# TYPE stox_marketplace_requests_total counter
stox_marketplace_requests_total{marketplace="trendyol",method="POST",code="429"} 1
# TYPE stox_listings gauge
stox_listings{marketplace="trendyol",state="accepted"} 6
`}
	var scrapes []scrape
	for _, e := range exposition {
		s := scrape{}
		s.families, s.err = parser().TextToMetricFamilies(strings.NewReader(e))
		require.NoError(t, s.err)
		scrapes = append(scrapes, s)
	}
	m := metricsOf(scrapes, nil, time.Now())
	require.Len(t, m.Stages, 1)
	st := m.Stages[0]
	assert.Equal(t, Stage{Service: "ai", Handler: "enhance", OK: 7, Poisoned: 1, P50: st.P50, P95: st.P95, P99: st.P99}, st)
	assert.InDelta(t, 1.0, *st.P50, 1e-9)
	assert.Nil(t, st.Rate, "no rate from one report")
	require.Len(t, m.Marketplaces, 1)
	assert.Equal(t, int64(13), m.Marketplaces[0].Requests, "replicas add up")
	assert.Equal(t, int64(3), m.Marketplaces[0].Throttled)
	assert.Equal(t, 6, m.Listings["trendyol"]["accepted"], "replicas count the same listings: the largest")

	var out bytes.Buffer
	require.NoError(t, Write(&out, Report{Metrics: m}, "metrics"))
	assert.Regexp(t, `ai enhance +7 +0 +1 +- +1.00s`, out.String())
}

func TestManagementURL(t *testing.T) {
	assert.Equal(t, "http://stox:pw@rabbitmq:15672", ManagementURL("amqp://stox:pw@rabbitmq:5672/"))
	assert.Equal(t, "https://h:15672", ManagementURL("amqps://h/prod"))
	assert.Equal(t, "", ManagementURL(""))
	assert.Equal(t, "/", VHost("amqp://h:5672/"))
	assert.Equal(t, "/", VHost("amqp://h"))
	assert.Equal(t, "prod", VHost("amqps://h/prod"))
}
