package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestConfigLLM(t *testing.T) {
	base := Config{Common: Common{AMQPPool: 1, Prefetch: 1, Timeout: 1, LogFormat: "text", LogLevel: "info"},
		PublicBaseURL: "http://127.0.0.1:8080", APITimeout: time.Second}
	tests := []struct {
		name, url, model, want string
	}{
		{"off", "", "", ""},
		{"on", "https://api.openai.com", "gpt-4o-mini", ""},
		{"no model", "http://127.0.0.1:11434", "", "STOX_LLM_MODEL is required"},
		{"not http", "ftp://x", "m", "STOX_LLM_URL must be an http(s) URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base
			c.LLMURL, c.LLMModel = tt.url, tt.model
			err := c.validate()
			if tt.want == "" {
				assert.NoError(t, err)
				return
			}
			if assert.Error(t, err) {
				assert.Contains(t, err.Error(), tt.want)
			}
		})
	}
}
