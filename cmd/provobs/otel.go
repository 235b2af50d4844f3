package main

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"

	"github.com/provobs/provobs/otelmetrics"
)

// otelMetrics is the -metrics otel recording: package otelmetrics on an
// SDK MeterProvider whose only reader is the OpenTelemetry Prometheus
// exporter, registered on a registry of its own beside the Go runtime and
// process collectors (the go_* and process_* series of any Go service).
// The exporter is a pull reader: it holds no goroutine, so the provider is
// not shut down, and /metrics serves the final values while the command
// lingers.
type otelMetrics struct {
	m   *otelmetrics.Metrics
	mp  *sdkmetric.MeterProvider
	reg *prometheus.Registry
}

func newOTelMetrics() (*otelMetrics, error) {
	reg := prometheus.NewRegistry()
	if err := errors.Join(
		reg.Register(collectors.NewGoCollector()),
		reg.Register(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})),
	); err != nil {
		return nil, fmt.Errorf("-metrics otel: %w", err)
	}
	exp, err := otelprom.New(otelprom.WithRegisterer(reg))
	if err != nil {
		return nil, fmt.Errorf("-metrics otel: the Prometheus exporter: %w", err)
	}
	res := resource.NewSchemaless(semconv.ServiceName("provobs"))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exp), sdkmetric.WithResource(res))
	m, err := otelmetrics.New(mp)
	if err != nil {
		return nil, err
	}
	return &otelMetrics{m: m, mp: mp, reg: reg}, nil
}

// handler serves the exporter's output and the Go and process series.
func (o *otelMetrics) handler() http.Handler {
	return promhttp.HandlerFor(o.reg, promhttp.HandlerOpts{})
}
