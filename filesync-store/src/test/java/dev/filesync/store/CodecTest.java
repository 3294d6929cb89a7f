package dev.filesync.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.filesync.store.FileEvents.FileCreated;
import dev.filesync.store.FileEvents.FileDeleted;
import dev.filesync.store.FileEvents.FileUpdated;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CodecTest {
  private static final Instant T = Instant.parse("2025-01-01T10:00:00Z");
  private static final String HASH =
      "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
  private static final String PATH = "livestore-filesync-files/user_42_main/" + HASH;

  @Test
  void fileCreatedEncodesAsTheReference() {
    FileCreated e = new FileCreated("5f0c", PATH, HASH, ArgField.of(null), T, T);
    assertThat(FileEvents.CREATED.codec().encode(e))
        .isEqualTo(
            "{\"id\":\"5f0c\",\"path\":\""
                + PATH
                + "\",\"contentHash\":\""
                + HASH
                + "\",\"metadataJson\":null,"
                + "\"createdAt\":\"2025-01-01T10:00:00.000Z\",\"updatedAt\":\"2025-01-01T10:00:00.000Z\"}");
  }

  @Test
  void absentMetadataIsOmittedAndNullIsKept() {
    FileUpdated absent =
        new FileUpdated("f1", PATH, "user_42_main/" + HASH, HASH, ArgField.absent(), T);
    FileUpdated nulled =
        new FileUpdated("f1", PATH, "user_42_main/" + HASH, HASH, ArgField.of(null), T);
    FileUpdated set =
        new FileUpdated(
            "f1",
            PATH,
            "user_42_main/" + HASH,
            HASH,
            ArgField.of("{\"mimeType\":\"image/png\"}"),
            T);
    String prefix =
        "{\"id\":\"f1\",\"path\":\""
            + PATH
            + "\",\"remoteKey\":\"user_42_main/"
            + HASH
            + "\",\"contentHash\":\""
            + HASH
            + "\",";
    assertThat(FileEvents.UPDATED.codec().encode(absent))
        .isEqualTo(prefix + "\"updatedAt\":\"2025-01-01T10:00:00.000Z\"}");
    assertThat(FileEvents.UPDATED.codec().encode(nulled))
        .isEqualTo(prefix + "\"metadataJson\":null,\"updatedAt\":\"2025-01-01T10:00:00.000Z\"}");
    assertThat(FileEvents.UPDATED.codec().encode(set))
        .isEqualTo(
            prefix
                + "\"metadataJson\":\"{\\\"mimeType\\\":\\\"image/png\\\"}\",\"updatedAt\":\"2025-01-01T10:00:00.000Z\"}");

    assertThat(FileEvents.UPDATED.codec().decode(FileEvents.UPDATED.codec().encode(absent)))
        .isEqualTo(absent);
    assertThat(FileEvents.UPDATED.codec().decode(FileEvents.UPDATED.codec().encode(nulled)))
        .isEqualTo(nulled);
    assertThat(FileEvents.UPDATED.codec().decode(FileEvents.UPDATED.codec().encode(set)))
        .isEqualTo(set);
  }

  @Test
  void fileDeletedEncodesAsTheReference() {
    assertThat(
            FileEvents.DELETED
                .codec()
                .encode(new FileDeleted("f1", Instant.parse("2025-03-04T05:06:07.891Z"))))
        .isEqualTo("{\"id\":\"f1\",\"deletedAt\":\"2025-03-04T05:06:07.891Z\"}");
  }

  @Test
  void datesAlwaysHaveThreeFractionDigitsInUtc() {
    FileDeleted subMillis = new FileDeleted("f", Instant.parse("2025-03-04T05:06:07.891999999Z"));
    FileDeleted whole = new FileDeleted("f", Instant.parse("1970-01-01T00:00:00Z"));
    assertThat(FileEvents.DELETED.codec().encode(subMillis))
        .contains("\"2025-03-04T05:06:07.891Z\"");
    assertThat(FileEvents.DELETED.codec().encode(whole)).contains("\"1970-01-01T00:00:00.000Z\"");
  }

  @Test
  void decodesWhatTheJavaScriptClientWritesIgnoringExtraKeys() {
    String js =
        "{\"id\":\"js1\",\"path\":\"files/js1\",\"contentHash\":\"h-js1\","
            + "\"createdAt\":\"2025-01-02T03:04:05.678Z\",\"updatedAt\":\"2025-01-02T03:04:05.678Z\",\"extra\":1}";
    FileCreated e = FileEvents.CREATED.codec().decode(js);
    assertThat(e.id()).isEqualTo("js1");
    assertThat(e.metadataJson().isPresent()).isFalse();
    assertThat(e.createdAt()).isEqualTo(Instant.parse("2025-01-02T03:04:05.678Z"));
  }

  @Test
  void refusesMalformedArgs() {
    assertThatThrownBy(() -> FileEvents.DELETED.codec().decode("{\"id\":\"f\",\"deletedAt\":0}"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> FileEvents.DELETED.codec().decode("{\"id\":\"f\",\"deletedAt\":\"yesterday\"}"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> FileEvents.DELETED.codec().decode("[1,2]"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> FileEvents.DELETED.codec().decode("{not json"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void forRecordRefusesNonRecords() {
    @SuppressWarnings({"unchecked", "rawtypes"})
    Class<Record> notARecord = (Class) String.class;
    assertThatThrownBy(() -> ArgsCodec.forRecord(notARecord))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
