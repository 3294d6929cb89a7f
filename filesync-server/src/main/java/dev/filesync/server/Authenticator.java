package dev.filesync.server;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Maps a bearer token to the store patterns it grants. A pattern is an exact store id, a prefix
 * ending in {@code *} ({@code user-42/*} grants {@code user-42/main}, never {@code user-420/x}), or
 * {@code *} for every store.
 *
 * <p>Implementations must be thread-safe; the server calls them on every request.
 */
@FunctionalInterface
public interface Authenticator {

  /**
   * Looks a token up.
   *
   * @param bearerToken the token of the {@code Authorization: Bearer} header, never empty
   * @return the patterns the token grants (an empty list grants nothing), or empty if the token is
   *     unknown
   */
  Optional<List<String>> patternsFor(String bearerToken);

  /**
   * The default authenticator: a fixed table of tokens, compared in constant time.
   *
   * @param tokens token → store patterns; copied
   * @return an authenticator over the table
   * @throws IllegalArgumentException if a token is empty or a pattern is malformed
   */
  static Authenticator staticTokens(Map<String, List<String>> tokens) {
    return new StaticTokenAuthenticator(tokens);
  }
}
