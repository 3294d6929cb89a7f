/**
 * The FileSync server: one linear event log per store id, pushed to and pulled from over HTTP +
 * JSON and Server-Sent Events, as {@code docs/sync-protocol.md} specifies; and file storage for the
 * JS client's signer protocol, either through this server (gateway mode) or straight to an
 * S3-compatible service (signer mode), as {@code docs/storage-server.md} describes.
 *
 * <p>The whole public API is in this package:
 *
 * <ul>
 *   <li>{@link dev.filesync.server.FileSyncServer}, created from an immutable {@link
 *       dev.filesync.server.ServerConfig} (built with {@link
 *       dev.filesync.server.ServerConfig#builder()}); {@link dev.filesync.server.StorageMode} picks
 *       how file bytes move (the {@code filesync server} command of {@code filesync-cli} is the
 *       command line around it);
 *   <li>{@link dev.filesync.server.Authenticator}, which maps bearer tokens to the store patterns
 *       they grant (a static token table by default);
 *   <li>{@link dev.filesync.server.EventLog}, the storage SPI, with SQLite and PostgreSQL
 *       implementations opened by {@link dev.filesync.server.EventLogs}, and its values {@link
 *       dev.filesync.server.LogEvent} and {@link dev.filesync.server.AppendResult};
 *   <li>{@link dev.filesync.server.BlobStore}, the SPI for the gateway's bytes, with filesystem and
 *       S3 implementations opened by {@link dev.filesync.server.BlobStores}, its error {@link
 *       dev.filesync.server.BlobStoreException}, and {@link dev.filesync.server.S3Settings} for any
 *       S3-compatible service.
 * </ul>
 *
 * {@snippet :
 * ServerConfig config = ServerConfig.builder()
 *     .port(8787)
 *     .dataDirectory(Path.of("filesync-data"))
 *     .token("s3cret", List.of("user-42/*"))
 *     .build();
 * try (FileSyncServer server = FileSyncServer.create(config).start()) {
 *   System.out.println("listening on " + server.baseUri());
 *   // ...
 * }
 * }
 *
 * <p>The HTTP handlers, request validation and the error-code table live in {@code
 * dev.filesync.server.internal}, which is not API. See {@code docs/sync-server.md} for the thread
 * model and how several servers share one PostgreSQL database.
 */
package dev.filesync.server;
