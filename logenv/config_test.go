package logenv_test

import (
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provobs/provobs/logenv"
)

func TestParseFormat(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]logenv.Format{
		"": "", "tint": logenv.FormatTint, "JSON": logenv.FormatJSON, " text ": logenv.FormatText, "OTel": logenv.FormatOTel,
	} {
		got, err := logenv.ParseFormat(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	_, err := logenv.ParseFormat("xml")
	require.Error(t, err)
	assert.ErrorContains(t, err, `PROVOBS_LOG_FORMAT="xml"`)
	assert.ErrorContains(t, err, "tint, json, text or otel")
}

func TestParseLevel(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]slog.Level{
		"": slog.LevelInfo, "debug": slog.LevelDebug, "INFO": slog.LevelInfo, "Warn": slog.LevelWarn,
		"error": slog.LevelError, "DEBUG-4": slog.LevelDebug - 4, " warn+2 ": slog.LevelWarn + 2,
	} {
		got, err := logenv.ParseLevel(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{"verbose", "warning", "3"} {
		_, err := logenv.ParseLevel(in)
		require.Error(t, err, in)
		assert.ErrorContains(t, err, "debug, info, warn or error")
	}
}

func TestFromEnv(t *testing.T) {
	t.Setenv(logenv.EnvFormat, "json")
	t.Setenv(logenv.EnvLevel, "debug")
	t.Setenv(logenv.EnvNoColor, "1")
	cfg, err := logenv.FromEnv()
	require.NoError(t, err)
	assert.Equal(t, logenv.FormatJSON, cfg.Format)
	assert.Equal(t, slog.LevelDebug, cfg.Level)
	assert.True(t, cfg.NoColor)

	t.Setenv(logenv.EnvFormat, "")
	t.Setenv(logenv.EnvLevel, "")
	t.Setenv(logenv.EnvNoColor, "")
	cfg, err = logenv.FromEnv()
	require.NoError(t, err)
	assert.Equal(t, logenv.Config{}, cfg, "unset variables leave the defaults")

	t.Setenv(logenv.EnvFormat, "yaml")
	t.Setenv(logenv.EnvLevel, "loud")
	_, err = logenv.FromEnv()
	assert.ErrorContains(t, err, "PROVOBS_LOG_FORMAT")
	assert.ErrorContains(t, err, "PROVOBS_LOG_LEVEL")
}
