package spmodel

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEmbeddedModelsMatchTheirSources checks that every model and schema under
// models/ is embedded, gzipped, with exactly its text: after editing one, run
// go generate ./marketplace/amazon/spmodel.
func TestEmbeddedModelsMatchTheirSources(t *testing.T) {
	sources, err := filepath.Glob("models/*.json")
	require.NoError(t, err)
	n := 0
	for _, path := range sources {
		name := filepath.Base(path)
		if strings.HasSuffix(name, ".example.json") {
			continue // read by tests only
		}
		n++
		want, err := os.ReadFile(path)
		require.NoError(t, err)
		got, err := readModel(name)
		require.NoError(t, err, "%s is not embedded: run go generate", name)
		assert.True(t, string(got) == string(want), "the embedded %s is stale: run go generate", name)
	}
	assert.Equal(t, 6, n, "four models and two feed schemas")
	_, err = readModel("nothing.json")
	assert.Error(t, err)
}

func TestParamValue(t *testing.T) {
	for _, tc := range []struct {
		name  string
		p     param
		text  string
		multi []string
		want  any
		err   string
	}{
		{"csv", param{typ: "array", items: "string", format: "csv"}, "a,b", nil, []any{"a", "b"}, ""},
		{"pipes of integers", param{typ: "array", items: "integer", format: "pipes"}, "1|2", nil, []any{json.Number("1"), json.Number("2")}, ""},
		{"ssv", param{typ: "array", items: "string", format: "ssv"}, "a b", nil, []any{"a", "b"}, ""},
		{"multi", param{typ: "array", items: "boolean", format: "multi"}, "", []string{"true", "false"}, []any{true, false}, ""},
		{"empty array", param{typ: "array", items: "string", format: "csv"}, "", nil, []any{}, ""},
		{"bad item", param{typ: "array", items: "number", format: "csv"}, "1,x", nil, nil, `item 2: "x" is not a number`},
		{"integer", param{typ: "integer"}, "42", nil, json.Number("42"), ""},
		{"not JSON number", param{typ: "integer"}, "0x10", nil, nil, `"0x10" is not a number`},
		{"two numbers", param{typ: "number"}, "1 2", nil, nil, `"1 2" is not a number`},
		{"boolean", param{typ: "boolean"}, "maybe", nil, nil, `"maybe" is not a boolean`},
		{"string stays text", param{typ: "string"}, "42", nil, "42", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.p.value(tc.text, tc.multi)
			if tc.err != "" {
				assert.EqualError(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}
