package main

import (
	"maps"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/stox-dev/stox/messages"
)

// composeService is what these tests read of a docker-compose.yml service, its
// anchors merged in.
type composeService struct {
	Environment map[string]string
	EnvFile     any `yaml:"env_file"`
	Command     any
	// text is the whole service as YAML, to find every ${VAR} it uses (environment,
	// command, ports…).
	text string
}

// readCompose reads docker-compose.yml's services.
func readCompose(t *testing.T) map[string]composeService {
	t.Helper()
	b, err := os.ReadFile("../../docker-compose.yml")
	require.NoError(t, err)
	var doc struct {
		Services map[string]map[string]any
	}
	require.NoError(t, yaml.Unmarshal(b, &doc))
	out := map[string]composeService{}
	for name, raw := range doc.Services {
		text, err := yaml.Marshal(raw)
		require.NoError(t, err)
		var s composeService
		require.NoError(t, yaml.Unmarshal(text, &s), name)
		s.text = string(text)
		out[name] = s
	}
	return out
}

// configDefaults maps every variable `stox env` lists to its default.
func configDefaults() map[string]string {
	out := map[string]string{}
	var walk func(reflect.Type)
	walk = func(t reflect.Type) {
		for f := range t.Fields() {
			if f.Anonymous {
				walk(f.Type)
			} else {
				out[f.Tag.Get("envconfig")] = f.Tag.Get("default")
			}
		}
	}
	walk(reflect.TypeFor[Config]())
	return out
}

// usedBy lists the services whose definition uses ${name…}, sorted.
func usedBy(svcs map[string]composeService, name string) []string {
	var out []string
	for n, s := range svcs {
		if strings.Contains(s.text, "${"+name+":") || strings.Contains(s.text, "${"+name+"}") {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

// TestComposeSecretsPerService: no container gets .env whole; each gets the secrets
// it needs and no other: the PostgreSQL and RabbitMQ passwords only the Stox services
// (every one of them opens both), the backup helper and the servers themselves;
// STOX_API_KEYS only the image service (and the demo, its API's client); each
// marketplace's variables only its own service; the sandbox no database or broker.
func TestComposeSecretsPerService(t *testing.T) {
	svcs := readCompose(t)
	for name, s := range svcs {
		assert.Nil(t, s.EnvFile, "%s: env_file passes every secret of .env; name what it needs under environment", name)
	}
	serve := slices.Clone(services)
	for _, name := range serve {
		s, ok := svcs[name]
		require.True(t, ok, "no compose service %s for `stox serve %s`", name, name)
		assert.Equal(t, []any{"serve", name}, s.Command, name)
		assert.Contains(t, s.Environment, "STOX_AMQP_URL", name)
		assert.Contains(t, s.Environment, "STOX_DATABASE_URL", name)
	}
	assert.NotContains(t, svcs["sandbox"].Environment, "STOX_AMQP_URL", "the sandbox opens no broker")
	assert.NotContains(t, svcs["sandbox"].Environment, "STOX_DATABASE_URL", "the sandbox opens no database")

	allowed := func(extra ...string) []string {
		out := append(slices.Clone(serve), extra...)
		slices.Sort(out)
		return out
	}
	assert.Subset(t, allowed("postgres", "backup"), usedBy(svcs, "POSTGRES_PASSWORD"), "POSTGRES_PASSWORD")
	assert.Subset(t, allowed("rabbitmq", "backup"), usedBy(svcs, "RABBITMQ_PASSWORD"), "RABBITMQ_PASSWORD")
	assert.Equal(t, []string{"demo", "image"}, usedBy(svcs, "STOX_API_KEYS"), "STOX_API_KEYS: the API and its one client in the stack")
	for name, s := range svcs {
		if name != "image" && name != "demo" {
			assert.NotContains(t, s.Environment, "STOX_API_KEYS", name)
		}
	}

	// Each marketplace's variables, only on its service. Amazon's marketplace ID is no
	// secret: seo writes Amazon's text in that marketplace's language.
	for _, m := range messages.Marketplaces {
		prefix := "STOX_" + strings.ToUpper(m) + "_"
		for v := range configDefaults() {
			if !strings.HasPrefix(v, prefix) {
				continue
			}
			for _, user := range usedBy(svcs, v) {
				if v == "STOX_AMAZON_MARKETPLACE_ID" && user == "seo" {
					continue
				}
				assert.Equal(t, m, user, "%s reaches %s", v, user)
			}
		}
	}
}

// TestComposeReachesEveryVariable: since compose passes a container only what its
// environment names, every STOX_ variable .env.example names (set or commented) must
// reach a service under its own name; every default written as ${VAR:-default} is
// the code's; and what .env.example says compose sets, compose sets.
func TestComposeReachesEveryVariable(t *testing.T) {
	svcs := readCompose(t)
	defaults := configDefaults()
	example, err := os.ReadFile("../../.env.example")
	require.NoError(t, err)

	named := regexp.MustCompile(`(?m)^#? ?(STOX_[A-Z0-9_]+)=`).FindAllStringSubmatch(string(example), -1)
	require.NotEmpty(t, named)
	for _, m := range named {
		v := m[1]
		users := usedBy(svcs, v)
		if !assert.NotEmpty(t, users, "%s is in .env.example but reaches no service in docker-compose.yml", v) {
			continue
		}
		if _, isConfig := defaults[v]; isConfig {
			found := false
			for _, u := range users {
				found = found || strings.Contains(svcs[u].Environment[v], "${"+v)
			}
			assert.True(t, found, "%s: used by %v, but under another name", v, users)
		}
	}

	// Compose sets a variable to "" when .env leaves it out, not to its default; so
	// the default written beside it must be the code's. STOX_WORKERS: one worker per
	// ai replica; STOX_PUBLIC_BASE_URL: the image service by its compose name.
	own := map[string]bool{"STOX_WORKERS": true, "STOX_PUBLIC_BASE_URL": true}
	withDefault := regexp.MustCompile(`^\$\{([A-Z0-9_]+):-(.*)\}$`)
	for name, s := range svcs {
		for k, v := range s.Environment {
			m := withDefault.FindStringSubmatch(v)
			def, isConfig := defaults[k]
			if m == nil || !isConfig || own[k] {
				continue
			}
			assert.Equal(t, k, m[1], "%s: %s takes another variable's value", name, k)
			assert.Equal(t, def, m[2], "%s: %s defaults to %q in compose, %q in the code", name, k, m[2], def)
		}
	}

	_, setBlock, ok := strings.Cut(string(example), "# Set by docker-compose.yml")
	require.True(t, ok, ".env.example lists what docker-compose.yml sets")
	for _, m := range regexp.MustCompile(`(?m)^#\s+(STOX_[A-Z0-9_]+)\s`).FindAllStringSubmatch(setBlock, -1) {
		set := false
		for _, s := range svcs {
			v, has := s.Environment[m[1]]
			set = set || (has && !strings.Contains(v, "${"+m[1]))
		}
		assert.True(t, set, ".env.example says docker-compose.yml sets %s; no service does", m[1])
	}
}

// TestComposeEnvironmentLoads: each Stox service's environment, with .env.example's
// values and every default compose writes, is a configuration its command accepts.
func TestComposeEnvironmentLoads(t *testing.T) {
	svcs := readCompose(t)
	values := exampleValues(t)
	for _, name := range append(slices.Clone(services), "sandbox") {
		t.Run(name, func(t *testing.T) {
			for _, kv := range os.Environ() {
				if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "STOX_") {
					t.Setenv(k, "")
					require.NoError(t, os.Unsetenv(k))
				}
			}
			for k, v := range svcs[name].Environment {
				t.Setenv(k, interpolate(t, v, values))
			}
			cfg, err := loadConfig()
			require.NoError(t, err, "environment %v", slices.Sorted(maps.Keys(svcs[name].Environment)))
			if name != "sandbox" {
				assert.NotEmpty(t, cfg.AMQPURL)
				assert.NotEmpty(t, cfg.DatabaseURL)
			}
			if name == "image" {
				assert.NotEmpty(t, cfg.APIKeys, "serve image refuses to start without keys")
			}
		})
	}
}

// exampleValues are the variables .env.example sets, each change-me as make's .env
// target replaces it: with a random hex value.
func exampleValues(t *testing.T) map[string]string {
	b, err := os.ReadFile("../../.env.example")
	require.NoError(t, err)
	out := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, "=")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		if v == "change-me" {
			v = "0123456789abcdef0123456789abcdef"
		}
		out[k] = v
	}
	return out
}

// interpolate expands compose's ${VAR}, ${VAR:-default} and ${VAR:?message}.
func interpolate(t *testing.T, s string, values map[string]string) string {
	re := regexp.MustCompile(`\$\{([A-Z0-9_]+)(?:(:-|:\?)([^}]*))?\}`)
	return re.ReplaceAllStringFunc(s, func(ref string) string {
		m := re.FindStringSubmatch(ref)
		v, ok := values[m[1]]
		switch {
		case ok && v != "":
			return v
		case m[2] == ":-":
			return m[3]
		case m[2] == ":?":
			t.Errorf("%s: required, and .env.example does not set it", m[1])
		}
		return ""
	})
}
