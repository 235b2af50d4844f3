package redact_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provobs/provobs/redact"
)

const secretValue = "hunter2-s3cr3t"

func TestSecretNeverRevealed(t *testing.T) {
	t.Parallel()
	s := redact.NewSecret(secretValue)
	type exported struct{ Token redact.Secret }
	type unexported struct{ token redact.Secret }

	var out []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.3s", "%T"} {
		out = append(out, fmt.Sprintf(verb, s), fmt.Sprintf(verb, &s),
			fmt.Sprintf(verb, exported{s}), fmt.Sprintf(verb, unexported{s}), fmt.Sprintf(verb, []redact.Secret{s}))
	}
	out = append(out, s.String(), s.GoString(), fmt.Sprint(s), fmt.Sprintln(s))
	j, err := json.Marshal(map[string]any{"s": s, "e": exported{s}})
	require.NoError(t, err)
	x, err := xml.Marshal(exported{s})
	require.NoError(t, err)
	txt, err := s.MarshalText()
	require.NoError(t, err)
	out = append(out, string(j), string(x), string(txt))

	var plain bytes.Buffer
	l := slog.New(slog.NewTextHandler(&plain, nil)) // no redaction handler
	l.Info("m", "s", s, "p", &s, "e", exported{s}, "u", unexported{s})
	out = append(out, plain.String())

	for _, o := range out {
		assert.NotContains(t, o, secretValue)
		assert.NotContains(t, o, fmt.Sprintf("%x", secretValue))
	}
	assert.Equal(t, "[REDACTED]", fmt.Sprintf("%v", s))
	assert.Equal(t, `"[REDACTED]"`, fmt.Sprintf("%q", s))
	assert.Equal(t, `redact.Secret("[REDACTED]")`, fmt.Sprintf("%#v", s))
	assert.JSONEq(t, `{"s":"[REDACTED]","e":{"Token":"[REDACTED]"}}`, string(j))
	assert.Equal(t, secretValue, s.Reveal())
	assert.Empty(t, redact.Secret{}.Reveal())
	assert.Equal(t, slog.StringValue(redact.Redacted), s.LogValue())
}
