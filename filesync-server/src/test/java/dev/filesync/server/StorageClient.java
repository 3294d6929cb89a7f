package dev.filesync.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** Speaks the storage API with java.net.http, the way the JS client does. */
final class StorageClient {

  static final ObjectMapper MAPPER = new ObjectMapper();

  final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();
  final URI base;
  final String token;

  StorageClient(URI base, String token) {
    this.base = base;
    this.token = token;
  }

  /** POSTs JSON to {@code /api/...} with the bearer token (if any). */
  HttpResponse<String> post(String path, String json) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(base.resolve(path))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return send(b.build());
  }

  HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  HttpResponse<byte[]> sendBytes(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static JsonNode json(HttpResponse<String> r) {
    try {
      return MAPPER.readTree(r.body());
    } catch (IOException e) {
      throw new UncheckedIOException("not JSON: " + r.body(), e);
    }
  }

  static String q(String s) {
    try {
      return MAPPER.writeValueAsString(s);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A request builder for a signed URL with the signed headers, skipping those a browser's XHR
   * would refuse to set ({@code Content-Length}, {@code Host}).
   */
  static HttpRequest.Builder signedRequest(JsonNode signed) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(signed.get("url").textValue()))
            .timeout(Duration.ofSeconds(120));
    JsonNode headers = signed.get("headers");
    if (headers != null) {
      for (Map.Entry<String, JsonNode> h : headers.properties()) {
        String name = h.getKey().toLowerCase(java.util.Locale.ROOT);
        if (name.equals("content-length") || name.equals("host")) {
          continue; // browsers set these themselves (forbidden headers), and so does java.net.http
        }
        b.header(h.getKey(), h.getValue().textValue());
      }
    }
    return b;
  }
}
