package dev.filesync.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A small test client for the sync API over {@link HttpClient}. */
final class SyncClient {

  static final ObjectMapper MAPPER = new ObjectMapper();

  final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();
  final URI base;
  final String token;

  SyncClient(URI base, String token) {
    this.base = base;
    this.token = token;
  }

  static String q(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  URI uri(String pathAndQuery) {
    return base.resolve(pathAndQuery);
  }

  HttpRequest.Builder request(String pathAndQuery) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(60));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
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

  HttpResponse<String> push(String storeId, String body) {
    return send(
        request("/sync/v1/push?storeId=" + q(storeId))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  HttpResponse<String> pull(String storeId, String extraQuery) {
    return send(request("/sync/v1/pull?storeId=" + q(storeId) + extraQuery).GET().build());
  }

  HttpResponse<String> head(String storeId) {
    return send(request("/sync/v1/head?storeId=" + q(storeId)).GET().build());
  }

  long headOf(String storeId) {
    HttpResponse<String> r = head(storeId);
    if (r.statusCode() != 200) {
      throw new AssertionError("head failed: " + r.statusCode() + " " + r.body());
    }
    return json(r).get("head").longValue();
  }

  static JsonNode json(HttpResponse<String> response) {
    try {
      return MAPPER.readTree(response.body());
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + response.body(), e);
    }
  }

  /** A push body of {@code count} test events starting at {@code first}. */
  static String batch(long first, int count) {
    return batch(first, count, null);
  }

  static String batch(long first, int count, String backendId) {
    StringBuilder b = new StringBuilder("{\"batch\":[");
    for (int i = 0; i < count; i++) {
      long seq = first + i;
      if (i > 0) {
        b.append(',');
      }
      b.append(event(seq, "{\"n\":" + seq + "}"));
    }
    b.append(']');
    if (backendId != null) {
      b.append(",\"backendId\":\"").append(backendId).append('"');
    }
    return b.append('}').toString();
  }

  static String event(long seq, String args) {
    return "{\"name\":\"v1.Test\",\"args\":"
        + args
        + ",\"seqNum\":"
        + seq
        + ",\"parentSeqNum\":"
        + (seq - 1)
        + ",\"clientId\":\"client-a\",\"sessionId\":\"s-1\"}";
  }
}
