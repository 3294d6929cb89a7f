package dev.filesync.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.filesync.server.LogEvent;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PushParserTest {

  static PushParser.PushRequest parse(String body) {
    return PushParser.parse(body.getBytes(StandardCharsets.UTF_8), 100);
  }

  static String event(long seq, String name, String args) {
    return "{\"name\":\""
        + name
        + "\",\"args\":"
        + args
        + ",\"seqNum\":"
        + seq
        + ",\"parentSeqNum\":"
        + (seq - 1)
        + ",\"clientId\":\"c\",\"sessionId\":\"s\"}";
  }

  @Test
  void keepsTheArgsTextOfEveryEventExactly() {
    String a1 = "{ \"é\" : \"ü\\n\", \"n\": 1.50 }";
    String a2 = "{\"nested\":{\"args\":{\"x\":[{}]}},\"z\":-0.0}";
    PushParser.PushRequest r =
        parse(
            "{\"backendId\":\"b-1\", \"batch\": [ "
                + event(5, "v1.A", a1)
                + " ,\n"
                + event(6, "v1.B", a2)
                + "]}");
    assertThat(r.backendId()).isEqualTo("b-1");
    assertThat(r.batch())
        .containsExactly(
            new LogEvent("v1.A", a1, 5, 4, "c", "s"), new LogEvent("v1.B", a2, 6, 5, "c", "s"));
  }

  @Test
  void argsFieldMayComeLast() {
    String body =
        "{\"batch\":[{\"seqNum\":1,\"parentSeqNum\":0,\"clientId\":\"c\",\"sessionId\":\"s\","
            + "\"name\":\"v1.A\",\"args\":{\"k\":true}}]}";
    assertThat(parse(body).batch().get(0).argsJson()).isEqualTo("{\"k\":true}");
  }

  @Test
  void dates() {
    assertThat(PushParser.isDate("2025-01-01T10:00:00.000Z")).isTrue();
    assertThat(PushParser.isDate("2024-02-29T23:59:59.999Z")).isTrue();
    assertThat(PushParser.isDate("2025-02-29T10:00:00.000Z")).isFalse();
    assertThat(PushParser.isDate("2025-01-01T24:00:00.000Z")).isFalse();
    assertThat(PushParser.isDate("2025-01-01T10:00:60.000Z")).isFalse();
    assertThat(PushParser.isDate("2025-01-01T10:00:00.00Z")).isFalse();
    assertThat(PushParser.isDate("2025-01-01T10:00:00.000+00:00")).isFalse();
    assertThat(PushParser.isDate("2025-1-01T10:00:00.000Z")).isFalse();
  }

  @Test
  void fileCreatedMetadataJsonMayBeStringNullOrAbsent() {
    String base =
        "\"id\":\"f\",\"path\":\"p\",\"contentHash\":\"h\","
            + "\"createdAt\":\"2025-01-01T10:00:00.000Z\",\"updatedAt\":\"2025-01-01T10:00:00.000Z\"";
    for (String extra : new String[] {"", ",\"metadataJson\":null", ",\"metadataJson\":\"{}\""}) {
      String args = "{" + base + extra + "}";
      assertThat(parse("{\"batch\":[" + event(1, "v1.FileCreated", args) + "]}").batch())
          .hasSize(1);
    }
    assertThatThrownBy(
            () ->
                parse(
                    "{\"batch\":["
                        + event(1, "v1.FileCreated", "{" + base + ",\"metadataJson\":{}}")
                        + "]}"))
        .isInstanceOf(ApiException.class)
        .extracting(e -> ((ApiException) e).code())
        .isEqualTo(ErrorCode.INVALID_ARGS);
  }

  @Test
  void clientOnlyNames() {
    assertThat(PushParser.isClientOnly("v1.LocalFileStateUpsert")).isTrue();
    assertThat(PushParser.isClientOnly("v1.ThumbnailStateSet")).isTrue();
    assertThat(PushParser.isClientOnly("v1.ThumbnailConfigSet")).isTrue();
    assertThat(PushParser.isClientOnly("fileSyncCursorSet")).isTrue();
    assertThat(PushParser.isClientOnly("v1.FileCreated")).isFalse();
    assertThat(PushParser.isClientOnly("v1.TagSet")).isFalse();
  }

  @Test
  void everyErrorCodeHasOneStatus() {
    assertThat(ErrorCode.SERVER_AHEAD.status()).isEqualTo(409);
    assertThat(ErrorCode.PAYLOAD_TOO_LARGE.status()).isEqualTo(413);
    assertThat(ErrorCode.INTERNAL.code()).isEqualTo("Internal");
  }
}
