package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const sample = `goos: linux
BenchmarkHop/stox-2         	   20000	    386595 ns/op	   2.65 MB/s	      9000 msgs/s
BenchmarkHop/stox-2         	   20000	    386595 ns/op	   2.65 MB/s	      8000 msgs/s
BenchmarkHop/stox-2         	   20000	    386595 ns/op	   2.65 MB/s	      1000 msgs/s
BenchmarkHop/amqp091-2      	   20000	    332947 ns/op	   3.08 MB/s	     10000 msgs/s
BenchmarkOrderToStock-2     	       1	         0 ns/op	       210 p50-ms	       640 p95-ms	       900 p99-ms	  1200 max-ms
BenchmarkProcess/all        	      10	 150000000 ns/op	       120.0 cpu-ms/img
libvips 8.14.1 reference: median_cpu_ms=228 img_per_min_per_core=263 runs=10 photo=/tmp/photo.jpg
PASS
ok  	github.com/stox-dev/stox/broker/rabbitmq	16.638s
`

func TestTable(t *testing.T) {
	var echo strings.Builder
	res, err := parse(strings.NewReader(sample), &echo)
	require.NoError(t, err)
	assert.Equal(t, sample, echo.String(), "the output passes through")
	v, ok := res.get("BenchmarkHop/stox", "msgs/s")
	require.True(t, ok)
	assert.Equal(t, 8000.0, v, "median of three runs")

	out := table(res)
	assert.Contains(t, out, "| 8000 / 10000 msgs/s: **0.80** | ≥ 0.90 | no |")
	assert.Contains(t, out, "p50 210 ms, p95 640 ms, **p99 900 ms**, max 1200 ms | p50 ≤ 300 ms, p99 ≤ 1000 ms | yes |")
	assert.Contains(t, out, "stox 120 ms, libvips 228 ms: **1.90×** | ≥ 1.5× | yes |")
	assert.Contains(t, out, "not measured: no BenchmarkListingsPublished/amazon figure | ≥ 2000/min | - |")
	assert.Equal(t, 7, strings.Count(out, "\n"), "header, separator and five rows")
}

func TestParseRefusesGarbage(t *testing.T) {
	_, err := parse(strings.NewReader("BenchmarkX-2 10 abc ns/op\n"), nil)
	assert.ErrorContains(t, err, `BenchmarkX: value "abc" of ns/op is not a number`)
}
