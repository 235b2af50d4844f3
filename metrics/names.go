package metrics

// ContentType is the Content-Type of the Prometheus text exposition format
// that Handler serves.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"
