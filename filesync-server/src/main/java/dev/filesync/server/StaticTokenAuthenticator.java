package dev.filesync.server;

import dev.filesync.server.internal.StorePatterns;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The token table of {@link ServerConfig}, compared in constant time per token. */
final class StaticTokenAuthenticator implements Authenticator {

  private record Entry(byte[] token, List<String> patterns) {}

  private final List<Entry> entries = new ArrayList<>();

  StaticTokenAuthenticator(Map<String, List<String>> tokens) {
    for (Map.Entry<String, List<String>> e : new LinkedHashMap<>(tokens).entrySet()) {
      ServerConfig.checkToken(e.getKey());
      List<String> patterns = List.copyOf(e.getValue());
      patterns.forEach(StorePatterns::checkPattern);
      entries.add(new Entry(e.getKey().getBytes(StandardCharsets.UTF_8), patterns));
    }
  }

  @Override
  public Optional<List<String>> patternsFor(String bearerToken) {
    byte[] given = bearerToken.getBytes(StandardCharsets.UTF_8);
    List<String> found = null;
    for (Entry entry : entries) {
      // Look at every entry so the time taken does not tell which token was close.
      if (MessageDigest.isEqual(entry.token(), given) && found == null) {
        found = entry.patterns();
      }
    }
    return Optional.ofNullable(found);
  }

  @Override
  public String toString() {
    return "StaticTokenAuthenticator[" + entries.size() + " tokens]";
  }
}
