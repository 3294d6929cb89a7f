package dev.filesync.image;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.filesync.store.Query;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reading and writing {@code thumbnailState} rows and their {@code sizesJson}. */
final class ThumbnailStates {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ThumbnailStates() {}

  static Query<Optional<ThumbnailState>> byFile(String fileId) {
    return Query.first(
            "SELECT fileId, contentHash, mimeType, sizesJson FROM thumbnailState WHERE fileId = ?",
            r ->
                new ThumbnailState(
                    r.getString("fileId"),
                    r.getString("contentHash"),
                    r.getString("mimeType"),
                    parse(r.getString("sizesJson"))),
            fileId)
        .dependsOn("thumbnailState");
  }

  static Query<List<ThumbnailState>> all() {
    return Query.list(
            "SELECT fileId, contentHash, mimeType, sizesJson FROM thumbnailState",
            r ->
                new ThumbnailState(
                    r.getString("fileId"),
                    r.getString("contentHash"),
                    r.getString("mimeType"),
                    parse(r.getString("sizesJson"))))
        .dependsOn("thumbnailState");
  }

  /** Parses {@code sizesJson}; malformed or unknown entries are dropped (the reference's rule). */
  static Map<String, ThumbnailState.Size> parse(String json) {
    Map<String, ThumbnailState.Size> out = new LinkedHashMap<>();
    if (json == null || json.isEmpty()) {
      return out;
    }
    try {
      JsonNode n = JSON.readTree(json);
      if (n == null || !n.isObject()) {
        return out;
      }
      for (Map.Entry<String, JsonNode> e : n.properties()) {
        JsonNode v = e.getValue();
        try {
          out.put(
              e.getKey(),
              new ThumbnailState.Size(
                  ThumbnailStatus.fromWire(v.path("status").asText()),
                  v.hasNonNull("path") ? v.get("path").asText() : null,
                  v.hasNonNull("error") ? v.get("error").asText() : null,
                  v.hasNonNull("generatedAt") ? v.get("generatedAt").asLong() : null));
        } catch (IllegalArgumentException bad) {
          // an unknown status: treat the size as absent, so it is made again
        }
      }
    } catch (JsonProcessingException e) {
      return out;
    }
    return out;
  }

  static String toJson(Map<String, ThumbnailState.Size> sizes) {
    ObjectNode n = JSON.createObjectNode();
    sizes.forEach(
        (name, s) -> {
          ObjectNode o = n.putObject(name);
          o.put("status", s.status().wireName());
          if (s.path() != null) {
            o.put("path", s.path());
          }
          if (s.error() != null) {
            o.put("error", s.error());
          }
          if (s.generatedAt() != null) {
            o.put("generatedAt", s.generatedAt());
          }
        });
    return n.toString();
  }
}
