package s3

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		raw                      string
		bucket, prefix, endpoint string
		secure                   bool
		region                   string
		retries                  int
		base                     string
	}{
		{"s3://photos", "photos", "", "s3.amazonaws.com", true, "", DefaultRetries, "https://s3.amazonaws.com/photos/"},
		{"s3://photos/stox/prod/?region=eu-central-1", "photos", "stox/prod/", "s3.amazonaws.com", true, "eu-central-1", DefaultRetries, "https://s3.amazonaws.com/photos/"},
		{"s3://bkt/p?endpoint=127.0.0.1:8333&insecure=true&retries=0", "bkt", "p/", "127.0.0.1:8333", false, "", 0, "http://127.0.0.1:8333/bkt/"},
		{"s3://bkt?endpoint=http://seaweed:8333", "bkt", "", "seaweed:8333", false, "", DefaultRetries, "http://seaweed:8333/bkt/"},
		{"s3://bkt?endpoint=https://minio.example.com", "bkt", "", "minio.example.com", true, "", DefaultRetries, "https://minio.example.com/bkt/"},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			c, err := ParseURL(tt.raw)
			require.NoError(t, err)
			assert.Equal(t, tt.bucket, c.Bucket)
			assert.Equal(t, tt.prefix, c.Prefix)
			assert.Equal(t, tt.endpoint, c.Endpoint)
			assert.Equal(t, tt.secure, c.Secure)
			assert.Equal(t, tt.region, c.Region)
			assert.Equal(t, tt.retries, c.Retries)
			assert.Equal(t, tt.base, c.BaseURL())
			assert.NotNil(t, c.Creds)
		})
	}
}

func TestParseURLErrors(t *testing.T) {
	for raw, want := range map[string]string{
		"http://bucket/x":                   "want s3://bucket/prefix",
		"s3://Bad_Bucket":                   "bucket",
		"s3://":                             "bucket",
		"s3://key:secret@bucket":            "AWS_ACCESS_KEY_ID",
		"s3://bkt?endpoint=ftp://h:1":       "endpoint",
		"s3://bkt?endpoint=http://h:1/path": "endpoint",
		"s3://bkt?endpoint=h:1/x":           "endpoint",
		"s3://bkt?insecure=maybe":           "insecure",
		"s3://bkt?retries=-1":               "retries",
		"s3://bkt?retries=99":               "retries",
		"s3://bkt?endpint=h:1":              `unknown parameter "endpint"`,
		"s3://bkt\x7f":                      "blob URL",
	} {
		t.Run(raw, func(t *testing.T) {
			_, err := ParseURL(raw)
			require.Error(t, err)
			assert.Contains(t, err.Error(), want)
		})
	}
}
