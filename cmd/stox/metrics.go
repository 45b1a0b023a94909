package main

import (
	"github.com/stox-dev/stox/api"
	"github.com/stox-dev/stox/metrics"
)

// apiRoutes are the API's routes, for their metrics to exist before the first request.
func apiRoutes() []metrics.Route {
	var rs []metrics.Route
	for _, r := range api.Routes() {
		rs = append(rs, metrics.Route{Method: r.Method, Path: r.Path, Code: r.Code})
	}
	return rs
}
