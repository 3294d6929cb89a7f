package dev.filesync.server.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.filesync.server.LogEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/** The JSON the server reads and writes. */
public final class Json {

  /** Strict reading: duplicate keys and trailing content are errors. */
  static final JsonMapper MAPPER =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private Json() {}

  /** Writes one JSON document. */
  @FunctionalInterface
  interface Writer {
    void write(JsonGenerator g) throws IOException;
  }

  static byte[] write(Writer writer) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = MAPPER.getFactory().createGenerator(out)) {
      writer.write(g);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * The JSON error body of a refused request.
   *
   * @param e the refusal
   * @return the body
   */
  public static byte[] error(ApiException e) {
    return write(
        g -> {
          g.writeStartObject();
          g.writeObjectFieldStart("error");
          g.writeStringField("code", e.code().code());
          g.writeStringField("message", e.getMessage());
          writeFields(g, e.errorFields());
          g.writeEndObject();
          writeFields(g, e.topFields());
          g.writeEndObject();
        });
  }

  private static void writeFields(JsonGenerator g, Map<String, Object> fields) throws IOException {
    for (Map.Entry<String, Object> f : fields.entrySet()) {
      g.writeFieldName(f.getKey());
      g.writeObject(f.getValue());
    }
  }

  /** The body of a pull and of a live message. */
  static byte[] page(String backendId, long head, List<LogEvent> events, long remaining) {
    return write(
        g -> {
          g.writeStartObject();
          g.writeStringField("backendId", backendId);
          g.writeNumberField("head", head);
          g.writeArrayFieldStart("events");
          for (LogEvent e : events) {
            writeEvent(g, e);
          }
          g.writeEndArray();
          g.writeObjectFieldStart("pageInfo");
          if (remaining > 0) {
            g.writeStringField("_tag", "MoreKnown");
            g.writeNumberField("remaining", remaining);
          } else {
            g.writeStringField("_tag", "NoMore");
          }
          g.writeEndObject();
          g.writeEndObject();
        });
  }

  /** Writes an envelope with the args text exactly as it was received. */
  static void writeEvent(JsonGenerator g, LogEvent e) throws IOException {
    g.writeStartObject();
    g.writeStringField("name", e.name());
    g.writeFieldName("args");
    g.writeRawValue(e.argsJson());
    g.writeNumberField("seqNum", e.seqNum());
    g.writeNumberField("parentSeqNum", e.parentSeqNum());
    g.writeStringField("clientId", e.clientId());
    g.writeStringField("sessionId", e.sessionId());
    g.writeEndObject();
  }

  static byte[] headAndBackendId(long head, String backendId) {
    return write(
        g -> {
          g.writeStartObject();
          g.writeNumberField("head", head);
          g.writeStringField("backendId", backendId);
          g.writeEndObject();
        });
  }
}
