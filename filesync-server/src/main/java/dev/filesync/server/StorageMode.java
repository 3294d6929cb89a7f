package dev.filesync.server;

/**
 * How the storage service moves file bytes ({@link ServerConfig.Builder#storageMode}).
 *
 * <p>In both modes clients call the same signer API ({@code POST /api/v1/sign/upload} and the
 * others) with a bearer token; only the URLs they get back differ.
 */
public enum StorageMode {
  /**
   * The bytes go through this server: signed URLs point at its own {@code
   * /livestore-filesync-files/<key>} and it keeps the bytes on the local filesystem, or in S3 when
   * {@link ServerConfig.Builder#s3} is set. Works with no other service.
   */
  GATEWAY,
  /**
   * The bytes go straight to an S3-compatible service: the server only presigns its URLs. Needs
   * {@link ServerConfig.Builder#s3}.
   */
  SIGNER
}
