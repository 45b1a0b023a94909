package main

// The monitoring of the compose stack (`make monitor`): docker/prometheus (scrape
// configuration, alert rules and their unit tests) and docker/grafana (data source and
// dashboards). These tests keep it true to the services: every metric a panel or a
// rule uses is one the services (or RabbitMQ) really export, promtool accepts the
// configuration and the rules, and a real Prometheus scraping a running pipeline
// evaluates every rule and every panel's query.

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/prometheus/promql/parser"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/stox-dev/stox/internal/testenv"
	"github.com/stox-dev/stox/marketplace/sandbox"
	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/topology"
)

// Paths from this package's directory, where go test runs.
var (
	prometheusDir = filepath.Join("..", "..", "docker", "prometheus")
	grafanaDir    = filepath.Join("..", "..", "docker", "grafana")
)

// prometheusOwn are series Prometheus makes itself rather than scrapes.
var prometheusOwn = map[string]bool{"up": true, "ALERTS": true}

// grafanaVars stands in for the Grafana variables a dashboard query may use, so the
// query parses as PromQL; a variable not listed here fails the test.
var grafanaVars = strings.NewReplacer("$__rate_interval", "1m", "$__interval", "1m", "$__range", "1h")

// queueLimitQueries compare a work queue's depth with its x-max-length, written out
// as a number: RabbitMQ exports no queue's limit.
var queueLimitQueries = []string{"rabbitmq.json: Work queues: fill of their limit", "rules.yml: StoxQueueNearLimit"}

// monitoringQuery is one PromQL expression of a dashboard panel or an alert rule.
type monitoringQuery struct {
	where string // file and panel title or alert name, for messages
	expr  string // as PromQL (Grafana variables replaced)
}

type grafanaPanel struct {
	Title      string `json:"title"`
	Type       string `json:"type"`
	Datasource *struct {
		UID string `json:"uid"`
	} `json:"datasource"`
	Targets []struct {
		Expr string `json:"expr"`
	} `json:"targets"`
	Panels []grafanaPanel `json:"panels"` // a collapsed row holds its panels
}

// dashboardQueries returns every target's expression of every dashboard, checking on
// the way that each panel asks the provisioned data source.
func dashboardQueries(t *testing.T) map[string][]monitoringQuery {
	t.Helper()
	dsUID := provisionedDatasourceUID(t)
	files, err := filepath.Glob(filepath.Join(grafanaDir, "dashboards", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "no dashboards under docker/grafana/dashboards")
	out := map[string][]monitoringQuery{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		var d struct {
			UID    string         `json:"uid"`
			Title  string         `json:"title"`
			Panels []grafanaPanel `json:"panels"`
		}
		require.NoError(t, json.Unmarshal(b, &d), f)
		require.NotEmpty(t, d.UID, "%s: a dashboard without uid gets a new URL on every provisioning", f)
		name := filepath.Base(f)
		var walk func([]grafanaPanel)
		walk = func(ps []grafanaPanel) {
			for _, p := range ps {
				walk(p.Panels)
				if p.Type == "row" {
					continue
				}
				where := name + ": " + p.Title
				require.NotEmpty(t, p.Targets, "%s has no query", where)
				require.NotNil(t, p.Datasource, "%s names no data source", where)
				require.Equal(t, dsUID, p.Datasource.UID, "%s asks another data source than the provisioned one", where)
				for _, tg := range p.Targets {
					expr := grafanaVars.Replace(tg.Expr)
					require.NotContains(t, expr, "$", "%s uses a Grafana variable the test does not know: %s", where, tg.Expr)
					out[name] = append(out[name], monitoringQuery{where: where, expr: expr})
				}
			}
		}
		walk(d.Panels)
	}
	return out
}

// provisionedDatasourceUID is the uid of the one Prometheus data source Grafana is
// provisioned with.
func provisionedDatasourceUID(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(grafanaDir, "provisioning", "datasources", "prometheus.yml"))
	require.NoError(t, err)
	var f struct {
		Datasources []struct {
			UID  string `yaml:"uid"`
			Type string `yaml:"type"`
			URL  string `yaml:"url"`
		} `yaml:"datasources"`
	}
	require.NoError(t, yaml.Unmarshal(b, &f))
	require.Len(t, f.Datasources, 1)
	ds := f.Datasources[0]
	require.Equal(t, "prometheus", ds.Type)
	require.Equal(t, "http://prometheus:9090", ds.URL, "the compose service's name and port")
	return ds.UID
}

// alertRule is one rule of docker/prometheus/rules.yml.
type alertRule struct {
	Alert       string            `yaml:"alert"`
	Expr        string            `yaml:"expr"`
	For         string            `yaml:"for"`
	Labels      map[string]string `yaml:"labels"`
	Annotations map[string]string `yaml:"annotations"`
}

// alertRules reads rules.yml and checks that every rule is an alert an operator can
// act on: it waits (for), says how bad (severity) and what to do (summary, description).
func alertRules(t *testing.T) []alertRule {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(prometheusDir, "rules.yml"))
	require.NoError(t, err)
	var f struct {
		Groups []struct {
			Rules []alertRule `yaml:"rules"`
		} `yaml:"groups"`
	}
	require.NoError(t, yaml.Unmarshal(b, &f))
	var rules []alertRule
	for _, g := range f.Groups {
		rules = append(rules, g.Rules...)
	}
	require.NotEmpty(t, rules)
	for _, r := range rules {
		require.NotEmpty(t, r.Alert, "a recording rule or a nameless alert: %q", r.Expr)
		assert.NotEmpty(t, r.For, "%s: without for, one bad scrape alerts", r.Alert)
		assert.Contains(t, []string{"warning", "critical"}, r.Labels["severity"], "%s: severity", r.Alert)
		assert.NotEmpty(t, r.Annotations["summary"], "%s: summary", r.Alert)
		assert.NotEmpty(t, r.Annotations["description"], "%s: description", r.Alert)
	}
	return rules
}

// monitoringQueries is every dashboard query and every alert rule's expression.
func monitoringQueries(t *testing.T) []monitoringQuery {
	t.Helper()
	var qs []monitoringQuery
	dash := dashboardQueries(t)
	for _, name := range []string{"pipeline.json", "marketplaces.json", "rabbitmq.json"} {
		require.NotEmpty(t, dash[name], "dashboard %s is missing or has no queries", name)
	}
	for _, name := range slices.Sorted(maps.Keys(dash)) {
		qs = append(qs, dash[name]...)
	}
	for _, r := range alertRules(t) {
		qs = append(qs, monitoringQuery{where: "rules.yml: " + r.Alert, expr: r.Expr})
	}
	return qs
}

// parseQuery parses expr with Prometheus's own PromQL parser.
func parseQuery(t *testing.T, q monitoringQuery) parser.Expr {
	t.Helper()
	e, err := parser.NewParser(parser.Options{}).ParseExpr(q.expr)
	require.NoError(t, err, "%s: %s", q.where, q.expr)
	return e
}

// metricNames returns the metric names expr selects.
func metricNames(e parser.Expr) []string {
	var names []string
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		if vs, ok := n.(*parser.VectorSelector); ok && !slices.Contains(names, vs.Name) {
			names = append(names, vs.Name)
		}
		return nil
	})
	return names
}

// TestMonitoringQueriesUseRegisteredMetrics: every metric a Grafana panel or an alert
// rule names is one a freshly started Stox exports (scraped from the admin /metrics of
// every service in one process, as `stox run` runs them) or one of RabbitMQ's per-object
// metrics (testdata/rabbitmq-per-object-metrics.txt); the queue limit the alert and the
// dashboard divide by is the topology's.
func TestMonitoringQueriesUseRegisteredMetrics(t *testing.T) {
	queries := monitoringQueries(t)
	rabbit := rabbitmqMetricNames(t)
	used := map[string][]string{} // name → where
	limits := 0
	for _, q := range queries {
		for _, name := range metricNames(parseQuery(t, q)) {
			used[name] = append(used[name], q.where)
		}
		if slices.Contains(queueLimitQueries, q.where) {
			limits++
			assert.Contains(t, q.expr, strconv.Itoa(topology.MaxLength),
				"%s: a queue's limit is topology.MaxLength (x-max-length)", q.where)
		}
	}
	assert.Equal(t, len(queueLimitQueries), limits, "queries comparing queues with their limit: %v", queueLimitQueries)
	var stox []string
	for name, where := range used {
		switch {
		case strings.HasPrefix(name, "stox_"):
			stox = append(stox, name)
		case strings.HasPrefix(name, "rabbitmq_"):
			assert.True(t, rabbit[name], "%s (in %v) is not a metric of RabbitMQ's /metrics/per-object", name, where)
		default:
			assert.True(t, prometheusOwn[name], "%s (in %v) is neither a Stox, a RabbitMQ nor a Prometheus series", name, where)
		}
	}
	require.NotEmpty(t, stox)

	// Scraped at once, before any traffic: a dashboard shows every series, at zero,
	// from the start.
	admin, _ := startMonitoredApp(t, baseConfig(t))
	series := scrapeSeriesNames(t, admin+"/metrics")
	for _, name := range stox {
		assert.True(t, series[name], "%s (in %v) is not exported by a freshly started Stox", name, used[name])
	}
}

// rabbitmqMetricNames reads the checked list of RabbitMQ's per-object metric names.
func rabbitmqMetricNames(t *testing.T) map[string]bool {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "rabbitmq-per-object-metrics.txt"))
	require.NoError(t, err)
	defer f.Close()
	names := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" && !strings.HasPrefix(line, "#") {
			names[line] = true
		}
	}
	require.NoError(t, sc.Err())
	return names
}

// scrapeSeriesNames returns the series names of a Prometheus text exposition
// (histograms give name_bucket, name_sum and name_count, as queries name them).
func scrapeSeriesNames(t *testing.T, u string) map[string]bool {
	t.Helper()
	res, err := http.Get(u)
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode, u)
	names := map[string]bool{}
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		if i := strings.IndexAny(line, "{ "); i > 0 {
			names[line[:i]] = true
		}
	}
	require.NoError(t, sc.Err())
	return names
}

// startMonitoredApp runs every service of cfg in this process against a sandbox, as
// `stox run` does, and returns the base URLs of its admin server and its API.
func startMonitoredApp(t *testing.T, cfg Config) (admin, api string) {
	t.Helper()
	sbSrv := httptest.NewServer(sandbox.New(fastSandbox(sandbox.Faults{})))
	t.Cleanup(sbSrv.Close)
	cfg = marketConfig(t, cfg, sbSrv.URL)
	ctx, cancel := context.WithCancel(context.Background())
	log := errorLog()
	a, srv, served := startApp(t, ctx, cfg, log, nil)
	t.Cleanup(func() {
		cancel()
		<-served
	})
	adminSrv := httptest.NewServer(a.adminServer(nil).Handler)
	t.Cleanup(adminSrv.Close)
	return adminSrv.URL, srv.URL
}

// requireTool returns the path of a command the test needs, or skips the test when it
// is missing (fails instead with STOX_TEST_REQUIRE_SERVICES=1, as CI sets).
func requireTool(t *testing.T, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if testenv.Required() {
			t.Fatalf("%s not found and STOX_TEST_REQUIRE_SERVICES=1: apt-get install -y %s", name, pkg)
		}
		t.Skipf("%s not found: apt-get install -y %s", name, pkg)
	}
	return p
}

// TestMonitoringPromtool: promtool accepts the compose Prometheus's configuration
// (and the rule files it loads), the alert rules, and their unit tests pass (each
// alert fires on series that should fire it, and only then).
func TestMonitoringPromtool(t *testing.T) {
	promtool := requireTool(t, "promtool", "prometheus")
	for _, args := range [][]string{
		{"check", "config", "prometheus.yml"},
		{"check", "rules", "rules.yml"},
		{"test", "rules", "rules_test.yml"},
	} {
		cmd := exec.Command(promtool, args...)
		cmd.Dir = prometheusDir
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "promtool %s:\n%s", strings.Join(args, " "), out)
		require.Contains(t, string(out), "SUCCESS", "promtool %s", strings.Join(args, " "))
	}
}

// TestMonitoringPrometheusScrapesPipeline runs the real Prometheus against a running
// pipeline on RabbitMQ: it scrapes the services' admin /metrics and the broker's
// per-object metrics, loads rules.yml and evaluates every rule without error; every
// dashboard query and rule expression evaluates, every series they name is there,
// every label they aggregate by is on those series, and every rule watches series
// that exist.
func TestMonitoringPrometheusScrapesPipeline(t *testing.T) {
	prom := requireTool(t, "prometheus", "prometheus")
	queries := monitoringQueries(t)
	cfg := baseConfig(t)
	cfg.AMQPURL = testenv.AMQPURL(t)
	cfg.Prefix = testenv.Unique("mon") + "."
	t.Cleanup(func() { deleteTopology(t, cfg.AMQPURL, topology.New(cfg.Prefix, false, messages.Marketplaces)) })
	rabbit := rabbitmqMetricsTarget(t)
	admin, apiURL := startMonitoredApp(t, cfg)
	// One product through the stages: RabbitMQ's per-channel publish and deliver
	// series exist only once messages flowed.
	upload(t, apiURL, 0, 1)

	api := startPrometheus(t, prom, strings.TrimPrefix(admin, "http://"), rabbit)
	waitFor(t, 60*time.Second, "Prometheus scraping the services", func() (bool, string) {
		r := promQuery(t, api, `up{job="stox"} == 1`)
		return len(r) == 1, fmt.Sprintf("up: %v", r)
	})
	waitFor(t, 60*time.Second, "every rule evaluated", func() (bool, string) {
		return rulesHealthy(t, api)
	})

	for _, q := range queries {
		if _, err := promQueryErr(api, q.expr); err != nil {
			t.Errorf("%s: Prometheus cannot evaluate %s: %v", q.where, q.expr, err)
		}
	}
	checkSeries(t, api, queries, rabbit != "")
	checkRulesWatchSeries(t, api, rabbit != "")
}

// checkRulesWatchSeries: each rule's expression without its threshold (the "> 0" of
// "increase(…) > 0") answers with at least one series on the running pipeline, so the
// rule compares something that exists rather than nothing, which never fires.
func checkRulesWatchSeries(t *testing.T, api string, rabbit bool) {
	t.Helper()
	for _, r := range alertRules(t) {
		q := monitoringQuery{where: "rules.yml: " + r.Alert, expr: r.Expr}
		e := parseQuery(t, q)
		if !rabbit && slices.ContainsFunc(metricNames(e), func(n string) bool { return strings.HasPrefix(n, "rabbitmq_") }) {
			continue
		}
		bare := withoutThresholds(e).String()
		waitFor(t, 30*time.Second, q.where+": "+bare+" answers", func() (bool, string) {
			v := promQuery(t, api, bare)
			return len(v) > 0, "no series"
		})
	}
}

// withoutThresholds returns e with every comparison against a scalar replaced by its
// left side.
func withoutThresholds(e parser.Expr) parser.Expr {
	switch n := e.(type) {
	case *parser.BinaryExpr:
		if n.Op.IsComparisonOperator() && !n.ReturnBool && n.RHS.Type() == parser.ValueTypeScalar {
			return withoutThresholds(n.LHS)
		}
		n.LHS, n.RHS = withoutThresholds(n.LHS), withoutThresholds(n.RHS)
	case *parser.ParenExpr:
		n.Expr = withoutThresholds(n.Expr)
	}
	return e
}

// rabbitmqMetricsTarget is the host:port of the local broker's rabbitmq_prometheus
// (STOX_TEST_RABBITMQ_METRICS_URL, default http://127.0.0.1:15692), or "" when it does
// not answer: then its series are not checked, unless STOX_TEST_REQUIRE_SERVICES=1
// (CI enables the plugin), which fails.
func rabbitmqMetricsTarget(t *testing.T) string {
	t.Helper()
	raw := os.Getenv("STOX_TEST_RABBITMQ_METRICS_URL")
	if raw == "" {
		raw = "http://127.0.0.1:15692"
	}
	u, err := url.Parse(raw)
	require.NoError(t, err)
	res, err := http.Get(u.String() + "/metrics/per-object")
	if err == nil {
		_ = res.Body.Close()
		if res.StatusCode == http.StatusOK {
			return u.Host
		}
		err = fmt.Errorf("answered %s", res.Status)
	}
	if testenv.Required() {
		t.Fatalf("RabbitMQ's Prometheus endpoint at %s: %v (rabbitmq-plugins enable rabbitmq_prometheus)", raw, err)
	}
	t.Logf("RabbitMQ's Prometheus endpoint at %s: %v; its series are not checked (rabbitmq-plugins enable rabbitmq_prometheus)", raw, err)
	return ""
}

// startPrometheus runs prometheus scraping stox (host:port of an admin server) and, when
// set, rabbit every second, with rules.yml, and returns its base URL; it stops with the
// test.
func startPrometheus(t *testing.T, bin, stox, rabbit string) string {
	t.Helper()
	dir := t.TempDir()
	rules, err := filepath.Abs(filepath.Join(prometheusDir, "rules.yml"))
	require.NoError(t, err)
	conf := fmt.Sprintf(`global: {scrape_interval: 1s, evaluation_interval: 1s}
rule_files: [%q]
scrape_configs:
  - job_name: stox
    honor_labels: true
    static_configs: [{targets: [%q], labels: {service: run}}]
`, rules, stox)
	if rabbit != "" {
		conf += fmt.Sprintf(`  - job_name: rabbitmq
    metrics_path: /metrics/per-object
    static_configs: [{targets: [%q]}]
`, rabbit)
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(conf), 0o644))
	addr := freeAddr(t)
	var log syncBuffer
	cmd := exec.Command(bin, "--config.file="+filepath.Join(dir, "prometheus.yml"),
		"--storage.tsdb.path="+filepath.Join(dir, "data"), "--web.listen-address="+addr, "--log.level=warn")
	cmd.Stdout, cmd.Stderr = &log, &log
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("prometheus log:\n%s", log.String())
		}
	})
	base := "http://" + addr
	waitFor(t, 30*time.Second, "prometheus ready", func() (bool, string) {
		res, err := http.Get(base + "/-/ready")
		if err != nil {
			return false, err.Error() + "\n" + log.String()
		}
		_ = res.Body.Close()
		return res.StatusCode == http.StatusOK, res.Status
	})
	return base
}

// freeAddr is a loopback address nothing listens on (just now).
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// syncBuffer collects a process's output safely while it runs.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// promSample is one element of an instant query's result vector.
type promSample struct {
	Metric map[string]string `json:"metric"`
}

// promQueryErr runs an instant query and returns its vector (nil for a scalar).
func promQueryErr(api, expr string) ([]promSample, error) {
	res, err := http.Get(api + "/api/v1/query?query=" + url.QueryEscape(expr))
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	var out struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			ResultType string          `json:"resultType"`
			Result     json.RawMessage `json:"result"`
		} `json:"data"`
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("%s: %s", res.Status, b)
	}
	if out.Status != "success" {
		return nil, fmt.Errorf("%s: %s", res.Status, out.Error)
	}
	if out.Data.ResultType != "vector" {
		return nil, nil
	}
	var v []promSample
	return v, json.Unmarshal(out.Data.Result, &v)
}

func promQuery(t *testing.T, api, expr string) []promSample {
	t.Helper()
	v, err := promQueryErr(api, expr)
	require.NoError(t, err, expr)
	return v
}

// rulesHealthy reports whether Prometheus loaded every rule of rules.yml and has
// evaluated each, without error.
func rulesHealthy(t *testing.T, api string) (bool, string) {
	t.Helper()
	res, err := http.Get(api + "/api/v1/rules")
	require.NoError(t, err)
	defer res.Body.Close()
	var out struct {
		Data struct {
			Groups []struct {
				Rules []struct {
					Name           string    `json:"name"`
					Health         string    `json:"health"`
					LastError      string    `json:"lastError"`
					LastEvaluation time.Time `json:"lastEvaluation"`
				} `json:"rules"`
			} `json:"groups"`
		} `json:"data"`
	}
	require.NoError(t, json.NewDecoder(res.Body).Decode(&out))
	var names []string
	for _, g := range out.Data.Groups {
		for _, r := range g.Rules {
			require.NotEqual(t, "err", r.Health, "rule %s: %s", r.Name, r.LastError)
			if r.Health != "ok" || r.LastEvaluation.Year() < 2000 {
				return false, fmt.Sprintf("rule %s: health %q", r.Name, r.Health)
			}
			names = append(names, r.Name)
		}
	}
	var want []string
	for _, r := range alertRules(t) {
		want = append(want, r.Alert)
	}
	return slices.Equal(names, want), fmt.Sprintf("rules loaded: %v, in rules.yml: %v", names, want)
}

// checkSeries asserts that Prometheus holds series of every metric the queries name
// (RabbitMQ's only when it is scraped), and that those series carry every label a
// query aggregates them by.
func checkSeries(t *testing.T, api string, queries []monitoringQuery, rabbit bool) {
	t.Helper()
	labels := map[string][]string{} // metric → labels it is aggregated by
	for _, q := range queries {
		parser.Inspect(parseQuery(t, q), func(n parser.Node, _ []parser.Node) error {
			if ag, ok := n.(*parser.AggregateExpr); ok && !ag.Without {
				for _, name := range metricNames(ag.Expr) {
					labels[name] = append(labels[name], ag.Grouping...)
				}
			}
			return nil
		})
		for _, name := range metricNames(parseQuery(t, q)) {
			if _, ok := labels[name]; !ok {
				labels[name] = nil
			}
		}
	}
	for name := range labels {
		if prometheusOwn[name] || (strings.HasPrefix(name, "rabbitmq_") && !rabbit) {
			delete(labels, name)
		}
	}
	pending := map[string]string{}
	waitFor(t, 60*time.Second, "every series the dashboards and rules name", func() (bool, string) {
		clear(pending)
		for name, by := range labels {
			if why := seriesProblem(t, api, name, by); why != "" {
				pending[name] = why
			}
		}
		return len(pending) == 0, fmt.Sprint(pending)
	})
	t.Logf("%d metrics checked in Prometheus over %d queries (RabbitMQ scraped: %v)", len(labels), len(queries), rabbit)
}

// seriesProblem says what is wrong with metric name in Prometheus: no series, or none
// with one of the labels queries aggregate it by; "" when nothing is.
func seriesProblem(t *testing.T, api, name string, by []string) string {
	v := promQuery(t, api, fmt.Sprintf(`count({__name__=%q})`, name))
	if len(v) == 0 {
		return "no series"
	}
	for _, l := range by {
		v := promQuery(t, api, fmt.Sprintf(`count by (%s) ({__name__=%q, %s!=""})`, l, name, l))
		if len(v) == 0 {
			return fmt.Sprintf("no series with label %q", l)
		}
	}
	return ""
}
