package main

import (
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/topology"
)

func readmeSection(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	s := string(b)
	start := strings.Index(s, "<!-- "+name+":begin")
	end := strings.Index(s, "<!-- "+name+":end -->")
	require.True(t, start >= 0 && end > start, "README has no %s section", name)
	return s[start:end]
}

// envVars lists every variable of Config with its default tag.
func envVars(t reflect.Type, out map[string]string) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous {
			envVars(f.Type, out)
			continue
		}
		out[f.Tag.Get("envconfig")] = f.Tag.Get("default")
	}
}

// TestReadmeConfiguration keeps the README's variable table true to Config.
func TestReadmeConfiguration(t *testing.T) {
	vars := map[string]string{}
	envVars(reflect.TypeOf(Config{}), vars)
	table := readmeSection(t, "env")
	rows := map[string]string{}
	for _, line := range strings.Split(table, "\n") {
		// a cell may hold an escaped pipe, \|, as Markdown tables allow
		cells := strings.Split(strings.ReplaceAll(line, `\|`, "\x00"), "|")
		if len(cells) < 4 || !strings.Contains(cells[1], "STOX_") {
			continue
		}
		rows[strings.Trim(strings.TrimSpace(cells[1]), "`")] = strings.ReplaceAll(strings.TrimSpace(cells[2]), "\x00", "|")
	}
	for k, def := range vars {
		got, ok := rows[k]
		if assert.True(t, ok, "README does not document %s", k) && def != "" {
			assert.Equal(t, def, got, "README default of %s", k)
		}
	}
	for k := range rows {
		_, ok := vars[k]
		assert.True(t, ok, "README documents %s, which the code does not read", k)
	}
}

// TestReadmeTopology keeps the README's topology table true to topology.New.
func TestReadmeTopology(t *testing.T) {
	topo := topology.New("", false, messages.Marketplaces)
	var want []string
	for _, q := range topo.Queues {
		if q.Poison {
			continue
		}
		for _, b := range q.Bindings {
			ex, _ := topo.Exchange(b.Exchange)
			key := b.Key
			if key == "" {
				key = "—"
			}
			want = append(want, strings.Join([]string{b.Exchange, ex.Type, key, q.Name}, " | "))
		}
	}
	var got []string
	for _, line := range strings.Split(readmeSection(t, "topology"), "\n") {
		if !strings.HasPrefix(line, "| stox.") || strings.HasPrefix(line, "| stox.poison") {
			continue
		}
		got = append(got, strings.Trim(line, "| "))
	}
	sort.Strings(want)
	sort.Strings(got)
	assert.Equal(t, want, got)
}
