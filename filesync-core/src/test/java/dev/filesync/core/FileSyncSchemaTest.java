package dev.filesync.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.filesync.core.FileSyncSchema.FileCreated;
import dev.filesync.core.FileSyncSchema.FileDeleted;
import dev.filesync.core.FileSyncSchema.FileSyncCursor;
import dev.filesync.core.FileSyncSchema.FileSyncCursorSet;
import dev.filesync.core.FileSyncSchema.FileUpdated;
import dev.filesync.core.FileSyncSchema.LocalFileStateClear;
import dev.filesync.core.FileSyncSchema.LocalFileStateRemove;
import dev.filesync.core.FileSyncSchema.LocalFileStateUpsert;
import dev.filesync.store.ArgField;
import dev.filesync.store.EventRejectedException;
import dev.filesync.store.Query;
import dev.filesync.store.Store;
import dev.filesync.store.StoreConfig;
import dev.filesync.store.StoreSchema;
import dev.filesync.store.TableDef;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSyncSchemaTest {
  private static final Instant T = Instant.parse("2025-01-01T10:00:00Z");
  private static final String HASH =
      "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
  private static final String PATH = "livestore-filesync-files/user_42_main/" + HASH;
  private static final String KEY = "user_42_main/" + HASH;
  private static final String DATE = "\"2025-01-01T10:00:00.000Z\"";

  @TempDir Path dir;

  @Test
  void syncedEventsEncodeAsTheReference() {
    assertThat(
            FileSyncSchema.FILE_CREATED
                .codec()
                .encode(new FileCreated("5f0c", PATH, HASH, ArgField.of(null), T, T)))
        .isEqualTo(
            "{\"id\":\"5f0c\",\"path\":\""
                + PATH
                + "\",\"contentHash\":\""
                + HASH
                + "\",\"metadataJson\":null,\"createdAt\":"
                + DATE
                + ",\"updatedAt\":"
                + DATE
                + "}");
    String prefix =
        "{\"id\":\"f1\",\"path\":\""
            + PATH
            + "\",\"remoteKey\":\""
            + KEY
            + "\",\"contentHash\":\""
            + HASH
            + "\",";
    assertThat(
            FileSyncSchema.FILE_UPDATED
                .codec()
                .encode(new FileUpdated("f1", PATH, KEY, HASH, ArgField.absent(), T)))
        .isEqualTo(prefix + "\"updatedAt\":" + DATE + "}");
    assertThat(
            FileSyncSchema.FILE_UPDATED
                .codec()
                .encode(new FileUpdated("f1", PATH, KEY, HASH, ArgField.of("{\"a\":1}"), T)))
        .isEqualTo(prefix + "\"metadataJson\":\"{\\\"a\\\":1}\",\"updatedAt\":" + DATE + "}");
    assertThat(FileSyncSchema.FILE_DELETED.codec().encode(new FileDeleted("f1", T)))
        .isEqualTo("{\"id\":\"f1\",\"deletedAt\":" + DATE + "}");
    FileUpdated absent = new FileUpdated("f1", PATH, KEY, HASH, ArgField.absent(), T);
    assertThat(
            FileSyncSchema.FILE_UPDATED
                .codec()
                .decode(FileSyncSchema.FILE_UPDATED.codec().encode(absent)))
        .isEqualTo(absent);
  }

  @Test
  void clientOnlyEventsEncodeAsTheReference() {
    assertThat(
            FileSyncSchema.LOCAL_FILE_STATE_UPSERT
                .codec()
                .encode(new LocalFileStateUpsert("f1", PATH, HASH, "done", "queued", "")))
        .isEqualTo(
            "{\"fileId\":\"f1\",\"path\":\""
                + PATH
                + "\",\"localHash\":\""
                + HASH
                + "\",\"downloadStatus\":\"done\",\"uploadStatus\":\"queued\",\"lastSyncError\":\"\"}");
    assertThat(
            FileSyncSchema.LOCAL_FILE_STATE_REMOVE.codec().encode(new LocalFileStateRemove("f1")))
        .isEqualTo("{\"fileId\":\"f1\"}");
    assertThat(FileSyncSchema.LOCAL_FILE_STATE_CLEAR.codec().encode(new LocalFileStateClear()))
        .isEqualTo("{}");
    assertThat(
            FileSyncSchema.FILE_SYNC_CURSOR_SET
                .codec()
                .encode(new FileSyncCursorSet("global", new FileSyncCursor("e12", T))))
        .isEqualTo(
            "{\"id\":\"global\",\"value\":{\"lastEventSequence\":\"e12\",\"updatedAt\":"
                + DATE
                + "}}");
    assertThat(FileSyncSchema.FILE_SYNC_CURSOR_SET.name()).isEqualTo("fileSyncCursorSet");
    assertThat(FileSyncSchema.LOCAL_FILE_STATE_UPSERT.clientOnly()).isTrue();
    assertThat(FileSyncSchema.FILE_CREATED.clientOnly()).isFalse();
  }

  @Test
  void badStatusIsRefused() {
    assertThatThrownBy(() -> new LocalFileStateUpsert("f1", "", "", "weird", "done", ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("weird");
  }

  @Test
  void materializersFollowTheReference() throws Exception {
    StoreSchema schema =
        FileSyncSchema.addTo(StoreSchema.builder())
            .table(TableDef.of("notes", "CREATE TABLE notes (id TEXT PRIMARY KEY)"))
            .build();
    try (Store store = Store.open(StoreConfig.builder(dir, "s", schema).build())) {
      store.commit(
          FileSyncSchema.FILE_CREATED.of(
              new FileCreated("f1", PATH, HASH, ArgField.of("{\"m\":1}"), T, T)));
      assertThat(metadata(store)).isEqualTo("{\"m\":1}");
      assertThat(
              store.query(
                  Query.first(
                      "SELECT remoteKey, createdAt, deletedAt FROM files",
                      r -> r.getString(1) + "|" + r.getLong(2) + "|" + r.isNull("deletedAt"))))
          .contains("|" + T.toEpochMilli() + "|true");

      store.commit(
          FileSyncSchema.FILE_UPDATED.of(
              new FileUpdated("f1", PATH, KEY, HASH, ArgField.absent(), T)));
      assertThat(metadata(store)).as("absent keeps").isEqualTo("{\"m\":1}");
      store.commit(
          FileSyncSchema.FILE_UPDATED.of(
              new FileUpdated("f1", PATH, KEY, HASH, ArgField.of(null), T)));
      assertThat(metadata(store)).as("null clears").isNull();
      store.commit(
          FileSyncSchema.FILE_UPDATED.of(
              new FileUpdated("missing", PATH, KEY, HASH, ArgField.absent(), T)));

      assertThatThrownBy(
              () ->
                  store.commit(
                      FileSyncSchema.FILE_CREATED.of(
                          new FileCreated("f1", PATH, HASH, ArgField.absent(), T, T))))
          .isInstanceOf(EventRejectedException.class);

      store.commit(FileSyncSchema.FILE_DELETED.of(new FileDeleted("f1", T.plusSeconds(1))));
      assertThat(store.query(Query.scalar("SELECT deletedAt FROM files WHERE id = 'f1'")))
          .isEqualTo(T.plusSeconds(1).toEpochMilli());

      store.commit(
          FileSyncSchema.LOCAL_FILE_STATE_UPSERT.of(
              new LocalFileStateUpsert("f1", PATH, HASH, "done", "queued", "")),
          FileSyncSchema.LOCAL_FILE_STATE_UPSERT.of(
              new LocalFileStateUpsert("f1", PATH, HASH, "done", "done", "")),
          FileSyncSchema.LOCAL_FILE_STATE_UPSERT.of(
              new LocalFileStateUpsert("f2", PATH, HASH, "queued", "done", "x")));
      assertThat(store.query(Query.scalar("SELECT count(*) FROM localFileState"))).isEqualTo(2L);
      assertThat(
              store.query(
                  Query.first(
                      "SELECT uploadStatus FROM localFileState WHERE fileId = 'f1'",
                      r -> r.getString(1))))
          .contains("done");
      store.commit(FileSyncSchema.LOCAL_FILE_STATE_REMOVE.of(new LocalFileStateRemove("f1")));
      assertThat(store.query(Query.scalar("SELECT count(*) FROM localFileState"))).isEqualTo(1L);
      store.commit(FileSyncSchema.LOCAL_FILE_STATE_CLEAR.of(new LocalFileStateClear()));
      assertThat(store.query(Query.scalar("SELECT count(*) FROM localFileState"))).isEqualTo(0L);

      store.commit(
          FileSyncSchema.FILE_SYNC_CURSOR_SET.of(
              new FileSyncCursorSet("global", new FileSyncCursor("e3", T))));
      store.commit(
          FileSyncSchema.FILE_SYNC_CURSOR_SET.of(
              new FileSyncCursorSet("global", new FileSyncCursor("e5", T))));
      assertThat(
              store.query(
                  Query.list("SELECT lastEventSequence FROM fileSyncCursor", r -> r.getString(1))))
          .containsExactly("e5");
    }
  }

  @Test
  void aStaleRemoteKeyPublicationDoesNotUndoANewerEdit() throws Exception {
    String h2 = "b".repeat(64);
    String path2 = "livestore-filesync-files/user_42_main/" + h2;
    try (Store store = Store.open(StoreConfig.builder(dir, "s", FileSyncSchema.schema()).build())) {
      store.commit(
          FileSyncSchema.FILE_CREATED.of(
              new FileCreated("f1", PATH, HASH, ArgField.of(null), T, T)));
      // a newer edit replaces the bytes (remote key "")
      store.commit(
          FileSyncSchema.FILE_UPDATED.of(
              new FileUpdated("f1", path2, "", h2, ArgField.absent(), T.plusSeconds(1))));
      // then the upload of the old bytes finishes and publishes its key: skipped
      store.commit(
          FileSyncSchema.FILE_UPDATED.of(
              new FileUpdated("f1", PATH, KEY, HASH, ArgField.absent(), T.plusSeconds(2))));
      assertThat(
              store.query(
                  Query.first(
                      "SELECT contentHash, remoteKey FROM files WHERE id = 'f1'",
                      r -> r.getString(1) + "|" + r.getString(2))))
          .contains(h2 + "|");
      // the publication for the current bytes applies
      String key2 = "user_42_main/" + h2;
      store.commit(
          FileSyncSchema.FILE_UPDATED.of(
              new FileUpdated("f1", path2, key2, h2, ArgField.absent(), T.plusSeconds(3))));
      assertThat(
              store.query(
                  Query.first("SELECT remoteKey FROM files WHERE id = 'f1'", r -> r.getString(1))))
          .contains(key2);
    }
  }

  private static String metadata(Store store) {
    return store
        .query(
            Query.first(
                "SELECT coalesce(metadataJson, '<null>') FROM files WHERE id = 'f1'",
                r -> r.getString(1)))
        .filter(m -> !m.equals("<null>"))
        .orElse(null);
  }
}
