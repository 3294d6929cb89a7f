package dev.filesync.server.internal;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * HTTP metrics in the Prometheus text format 0.0.4: request counts by route, method and status,
 * request and response bytes by route, and a latency histogram by route with fixed buckets. The
 * {@code route} label is always a route template (such as {@code /livestore-filesync-files/<key>}),
 * never a raw path, so keys and tokens never appear. Thread-safe and lock-free on the recording
 * path.
 */
public final class Metrics {

  /** The upper bounds of the latency buckets, in seconds. */
  static final double[] BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};

  private record RequestKey(String route, String method, int status) {}

  private static final class Histogram {
    final LongAdder[] counts = new LongAdder[BUCKETS.length];
    final LongAdder count = new LongAdder();
    final LongAdder sumNanos = new LongAdder();

    Histogram() {
      for (int i = 0; i < counts.length; i++) {
        counts[i] = new LongAdder();
      }
    }

    void observe(long nanos) {
      double seconds = nanos / 1e9;
      for (int i = 0; i < BUCKETS.length; i++) {
        if (seconds <= BUCKETS[i]) {
          counts[i].increment();
        }
      }
      count.increment();
      sumNanos.add(nanos);
    }
  }

  private final Map<RequestKey, LongAdder> requests = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> requestBytes = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> responseBytes = new ConcurrentHashMap<>();
  private final Map<String, Histogram> durations = new ConcurrentHashMap<>();

  /** Creates empty metrics. */
  public Metrics() {}

  /**
   * Records one finished request.
   *
   * @param route the route template, or {@code unmatched}
   * @param method the HTTP method
   * @param status the status sent
   * @param inBytes request body bytes read (0 if unknown)
   * @param outBytes response body bytes written (0 if unknown)
   * @param nanos how long it took
   */
  public void record(
      String route, String method, int status, long inBytes, long outBytes, long nanos) {
    requests
        .computeIfAbsent(new RequestKey(route, method, status), k -> new LongAdder())
        .increment();
    requestBytes.computeIfAbsent(route, k -> new LongAdder()).add(Math.max(0, inBytes));
    responseBytes.computeIfAbsent(route, k -> new LongAdder()).add(Math.max(0, outBytes));
    durations.computeIfAbsent(route, k -> new Histogram()).observe(Math.max(0, nanos));
  }

  /**
   * The count of requests so far with these labels (for tests).
   *
   * @param route the route template
   * @param method the method
   * @param status the status
   * @return the count
   */
  public long requests(String route, String method, int status) {
    LongAdder a = requests.get(new RequestKey(route, method, status));
    return a == null ? 0 : a.sum();
  }

  /**
   * Renders every metric.
   *
   * @return the Prometheus text format 0.0.4, UTF-8
   */
  public byte[] render() {
    StringBuilder b = new StringBuilder(4096);
    b.append("# HELP filesync_http_requests_total HTTP requests by route template, method and")
        .append(" status.\n# TYPE filesync_http_requests_total counter\n");
    Map<String, Long> sorted = new TreeMap<>();
    requests.forEach(
        (k, v) ->
            sorted.put(
                "{route=\""
                    + escape(k.route())
                    + "\",method=\""
                    + escape(k.method())
                    + "\",status=\""
                    + k.status()
                    + "\"}",
                v.sum()));
    sorted.forEach(
        (labels, v) ->
            b.append("filesync_http_requests_total")
                .append(labels)
                .append(' ')
                .append(v)
                .append('\n'));
    counter(
        b,
        "filesync_http_request_bytes_total",
        "HTTP request body bytes by route template.",
        requestBytes);
    counter(
        b,
        "filesync_http_response_bytes_total",
        "HTTP response body bytes by route template.",
        responseBytes);
    b.append("# HELP filesync_http_request_duration_seconds HTTP request latency by route")
        .append(" template.\n# TYPE filesync_http_request_duration_seconds histogram\n");
    new TreeMap<>(durations)
        .forEach(
            (route, h) -> {
              String r = escape(route);
              for (int i = 0; i < BUCKETS.length; i++) {
                b.append("filesync_http_request_duration_seconds_bucket{route=\"")
                    .append(r)
                    .append("\",le=\"")
                    .append(BUCKETS[i])
                    .append("\"} ")
                    .append(h.counts[i].sum())
                    .append('\n');
              }
              long count = h.count.sum();
              b.append("filesync_http_request_duration_seconds_bucket{route=\"")
                  .append(r)
                  .append("\",le=\"+Inf\"} ")
                  .append(count)
                  .append('\n');
              b.append("filesync_http_request_duration_seconds_sum{route=\"")
                  .append(r)
                  .append("\"} ")
                  .append(h.sumNanos.sum() / 1e9)
                  .append('\n');
              b.append("filesync_http_request_duration_seconds_count{route=\"")
                  .append(r)
                  .append("\"} ")
                  .append(count)
                  .append('\n');
            });
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void counter(
      StringBuilder b, String name, String help, Map<String, LongAdder> values) {
    b.append("# HELP ").append(name).append(' ').append(help).append('\n');
    b.append("# TYPE ").append(name).append(" counter\n");
    new TreeMap<>(values)
        .forEach(
            (route, v) ->
                b.append(name)
                    .append("{route=\"")
                    .append(escape(route))
                    .append("\"} ")
                    .append(v.sum())
                    .append('\n'));
  }

  private static String escape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
