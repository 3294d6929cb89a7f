package dev.filesync.server.internal;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.filesync.server.LogEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads and checks a push body against the rules of {@code docs/sync-protocol.md}. The args of each
 * event are kept as the exact JSON text the client sent.
 */
final class PushParser {

  /** A checked push. */
  record PushRequest(List<LogEvent> batch, String backendId) {}

  private static final Set<String> REQUEST_FIELDS = Set.of("batch", "backendId");
  private static final Set<String> ENVELOPE_FIELDS =
      Set.of("name", "args", "seqNum", "parentSeqNum", "clientId", "sessionId");
  private static final Set<String> CLIENT_ONLY_PREFIXES =
      Set.of("v1.LocalFileState", "v1.ThumbnailState");
  private static final Set<String> CLIENT_ONLY_NAMES =
      Set.of("v1.ThumbnailConfigSet", "fileSyncCursorSet", "localFileStateSet");
  private static final Pattern DATE =
      Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");
  private static final DateTimeFormatter LOCAL_DATE_TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS")
          .withResolverStyle(ResolverStyle.STRICT);

  private PushParser() {}

  static PushRequest parse(byte[] body, int maxBatch) {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(body);
    } catch (JacksonException e) {
      throw new ApiException(
          ErrorCode.MALFORMED_JSON, "the body is not JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new ApiException(ErrorCode.MALFORMED_JSON, "the body is not JSON");
    }
    if (root == null || root.isMissingNode()) {
      throw new ApiException(ErrorCode.MALFORMED_JSON, "the body is empty");
    }
    if (!root.isObject()) {
      throw new ApiException(ErrorCode.MALFORMED_REQUEST, "the body must be a JSON object");
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!REQUEST_FIELDS.contains(field)) {
        throw new ApiException(
            ErrorCode.MALFORMED_REQUEST, "unknown request field '" + clip(field) + "'");
      }
    }
    JsonNode batch = root.get("batch");
    if (batch == null || batch.isNull()) {
      throw new ApiException(ErrorCode.MALFORMED_REQUEST, "batch is missing");
    }
    if (!batch.isArray()) {
      throw new ApiException(ErrorCode.MALFORMED_REQUEST, "batch must be an array");
    }
    if (batch.isEmpty()) {
      throw new ApiException(ErrorCode.BATCH_TOO_LARGE, "batch is empty");
    }
    if (batch.size() > maxBatch) {
      throw new ApiException(
          ErrorCode.BATCH_TOO_LARGE,
          "batch has " + batch.size() + " events, more than the limit of " + maxBatch);
    }
    String backendId = null;
    JsonNode backendIdNode = root.get("backendId");
    if (backendIdNode != null && !backendIdNode.isNull()) {
      if (!backendIdNode.isTextual()) {
        throw new ApiException(ErrorCode.MALFORMED_REQUEST, "backendId must be a string");
      }
      backendId = backendIdNode.textValue();
    }
    for (int i = 0; i < batch.size(); i++) {
      checkEnvelope(batch.get(i), i, i == 0 ? null : batch.get(i - 1));
    }
    String[] args = rawArgs(body, batch.size());
    List<LogEvent> events = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      JsonNode e = batch.get(i);
      events.add(
          new LogEvent(
              e.get("name").textValue(),
              args[i],
              e.get("seqNum").longValue(),
              e.get("parentSeqNum").longValue(),
              e.get("clientId").textValue(),
              e.get("sessionId").textValue()));
    }
    return new PushRequest(List.copyOf(events), backendId);
  }

  private static void checkEnvelope(JsonNode e, int i, JsonNode previous) {
    String at = "batch[" + i + "]";
    if (!e.isObject()) {
      throw malformed(at + " must be a JSON object");
    }
    for (Iterator<String> it = e.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!ENVELOPE_FIELDS.contains(field)) {
        throw malformed(at + " has an unknown field '" + clip(field) + "'");
      }
    }
    String name = text(e, at, "name", 256);
    JsonNode args = e.get("args");
    if (args == null) {
      throw malformed(at + ".args is missing");
    }
    if (!args.isObject()) {
      throw malformed(at + ".args must be a JSON object");
    }
    long seqNum = integer(e, at, "seqNum", 1);
    long parentSeqNum = integer(e, at, "parentSeqNum", 0);
    text(e, at, "clientId", 128);
    text(e, at, "sessionId", 128);
    if (isClientOnly(name)) {
      throw new ApiException(
          ErrorCode.CLIENT_ONLY_EVENT,
          at + " is the client-only event '" + name + "', which never leaves a device");
    }
    checkArgs(name, args, at + ".args");
    if (seqNum != parentSeqNum + 1) {
      throw new ApiException(
          ErrorCode.NON_CONTIGUOUS_BATCH,
          at + ": seqNum " + seqNum + " is not parentSeqNum " + parentSeqNum + " + 1");
    }
    if (previous != null && parentSeqNum != previous.get("seqNum").longValue()) {
      throw new ApiException(
          ErrorCode.NON_CONTIGUOUS_BATCH,
          at + ".parentSeqNum " + parentSeqNum + " does not follow the previous event's seqNum");
    }
  }

  static boolean isClientOnly(String name) {
    if (CLIENT_ONLY_NAMES.contains(name)) {
      return true;
    }
    for (String prefix : CLIENT_ONLY_PREFIXES) {
      if (name.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  private static void checkArgs(String name, JsonNode args, String at) {
    switch (name) {
      case "v1.FileCreated" -> {
        requireStrings(args, at, "id", "path", "contentHash");
        requireDates(args, at, "createdAt", "updatedAt");
        optionalMetadata(args, at);
      }
      case "v1.FileUpdated" -> {
        requireStrings(args, at, "id", "path", "remoteKey", "contentHash");
        requireDates(args, at, "updatedAt");
        optionalMetadata(args, at);
      }
      case "v1.FileDeleted" -> {
        requireStrings(args, at, "id");
        requireDates(args, at, "deletedAt");
      }
      default -> {}
    }
  }

  private static void requireStrings(JsonNode args, String at, String... fields) {
    for (String f : fields) {
      JsonNode v = args.get(f);
      if (v == null) {
        throw invalidArgs(at + "." + f + " is missing");
      }
      if (!v.isTextual()) {
        throw invalidArgs(at + "." + f + " must be a string");
      }
    }
  }

  private static void requireDates(JsonNode args, String at, String... fields) {
    for (String f : fields) {
      JsonNode v = args.get(f);
      if (v == null) {
        throw invalidArgs(at + "." + f + " is missing");
      }
      if (!v.isTextual() || !isDate(v.textValue())) {
        throw invalidArgs(
            at + "." + f + " must be an ISO-8601 UTC date like 2025-01-01T10:00:00.000Z");
      }
    }
  }

  static boolean isDate(String s) {
    if (!DATE.matcher(s).matches()) {
      return false;
    }
    try {
      LocalDateTime.parse(s.substring(0, s.length() - 1), LOCAL_DATE_TIME);
      return true;
    } catch (DateTimeParseException e) {
      return false;
    }
  }

  private static void optionalMetadata(JsonNode args, String at) {
    JsonNode v = args.get("metadataJson");
    if (v != null && !v.isNull() && !v.isTextual()) {
      throw invalidArgs(at + ".metadataJson must be a string or null");
    }
  }

  private static String text(JsonNode e, String at, String field, int maxLength) {
    JsonNode v = e.get(field);
    if (v == null) {
      throw malformed(at + "." + field + " is missing");
    }
    if (!v.isTextual()) {
      throw malformed(at + "." + field + " must be a string");
    }
    String s = v.textValue();
    if (s.isEmpty() || s.length() > maxLength) {
      throw malformed(at + "." + field + " must have 1 to " + maxLength + " characters");
    }
    if (StorePatterns.hasControl(s)) {
      throw malformed(at + "." + field + " contains a control character");
    }
    return s;
  }

  private static long integer(JsonNode e, String at, String field, long min) {
    JsonNode v = e.get(field);
    if (v == null) {
      throw malformed(at + "." + field + " is missing");
    }
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw malformed(at + "." + field + " must be an integer");
    }
    long n = v.longValue();
    if (n < min || n == Long.MAX_VALUE) {
      throw malformed(at + "." + field + " is out of range: " + n);
    }
    return n;
  }

  /** The exact text of each event's args object, found by a second, streaming pass. */
  private static String[] rawArgs(byte[] body, int count) {
    String[] args = new String[count];
    try (JsonParser p = Json.MAPPER.createParser(body)) {
      p.nextToken(); // the request object
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        p.nextToken();
        if (!field.equals("batch")) {
          p.skipChildren();
          continue;
        }
        int i = 0;
        while (p.nextToken() == JsonToken.START_OBJECT) {
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            if (name.equals("args")) {
              int start = (int) p.currentTokenLocation().getByteOffset();
              p.skipChildren();
              int end = (int) p.currentTokenLocation().getByteOffset() + 1;
              args[i] = new String(body, start, end - start, StandardCharsets.UTF_8);
            } else {
              p.skipChildren();
            }
          }
          i++;
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("the body parsed once but not twice", e);
    }
    for (int i = 0; i < count; i++) {
      if (args[i] == null) {
        throw new IllegalStateException("args of event " + i + " not found");
      }
    }
    return args;
  }

  private static ApiException malformed(String message) {
    return new ApiException(ErrorCode.MALFORMED_EVENT, message);
  }

  private static ApiException invalidArgs(String message) {
    return new ApiException(ErrorCode.INVALID_ARGS, message);
  }

  private static String clip(String s) {
    String clipped = s.length() > 64 ? s.substring(0, 64) + "…" : s;
    StringBuilder b = new StringBuilder(clipped.length());
    clipped.codePoints().forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? '?' : c));
    return b.toString();
  }
}
