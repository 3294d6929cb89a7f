package dev.filesync.core;

import dev.filesync.core.internal.SignerRemoteStorage;
import java.net.URI;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The {@link RemoteStorage} implementations FileSync ships.
 *
 * {@snippet :
 * try (RemoteStorage remote =
 *     RemoteStorages.signer(URI.create("http://127.0.0.1:8787/api"), () -> token)) {
 *   remote.upload(key, file, size, sha256, "image/png", TransferListener.NONE);
 * }
 * }
 */
public final class RemoteStorages {

  /** How long {@link #signer(URI, Supplier)} waits for a connection. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  /**
   * How long {@link #signer(URI, Supplier)} waits for a signer answer, and how long a transfer may
   * go without moving bytes or without an answer.
   */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);

  private RemoteStorages() {}

  /**
   * A client of a FileSync server's signer API (gateway or signer mode alike), or of any server
   * speaking the livestore-filesync signer contract, with the default timeouts.
   *
   * @param signerBaseUrl the JS client's {@code signerBaseUrl}, such as {@code
   *     http://127.0.0.1:8787/api}; trailing slashes are ignored
   * @param token the bearer token, asked for before each signer request; a {@code null} or blank
   *     token sends no {@code Authorization} header
   * @return a client; close it to release its connections
   * @throws IllegalArgumentException when the URL is not an absolute {@code http(s)} URL without
   *     query or fragment
   */
  public static RemoteStorage signer(URI signerBaseUrl, Supplier<String> token) {
    return signer(signerBaseUrl, token, DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT);
  }

  /**
   * A client of a signer API, with timeouts.
   *
   * @param signerBaseUrl the signer API base URL; trailing slashes are ignored
   * @param token the bearer token, asked for before each signer request
   * @param connectTimeout how long to wait for a connection (positive)
   * @param requestTimeout how long to wait for a signer answer, and how long a transfer may go
   *     without moving bytes or without an answer (positive); {@link RemoteStorage#healthy()} waits
   *     at most 5 seconds
   * @return a client; close it to release its connections
   * @throws IllegalArgumentException for a bad URL or a timeout that is not positive
   */
  public static RemoteStorage signer(
      URI signerBaseUrl, Supplier<String> token, Duration connectTimeout, Duration requestTimeout) {
    return new SignerRemoteStorage(signerBaseUrl, token, connectTimeout, requestTimeout);
  }
}
