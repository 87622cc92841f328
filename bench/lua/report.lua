-- Shared wrk reporting hook for scripts/bench.sh. Every run loads it (directly, or through
-- `dofile` from a scenario script): after wrk's own summary it prints one machine-readable line
--   BENCH_JSON {...}
-- with exact figures (latencies in microseconds), which the harness parses.
function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local e = summary.errors
  local function p(q) return latency:percentile(q) end
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_s":%.3f,"bytes":%d,"rps":%.1f,' ..
    '"latency_us":{"mean":%.1f,"stdev":%.1f,"max":%d,"p50":%d,"p75":%d,"p90":%d,"p99":%d,"p999":%d},' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}}\n',
    summary.requests, secs, summary.bytes, summary.requests / secs,
    latency.mean, latency.stdev, latency.max, p(50), p(75), p(90), p(99), p(99.9),
    e.connect, e.read, e.write, e.status, e.timeout))
end
