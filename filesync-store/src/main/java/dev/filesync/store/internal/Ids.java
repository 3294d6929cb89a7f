package dev.filesync.store.internal;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Random identifiers. */
final class Ids {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Ids() {}

  /** {@code bytes} random bytes as lowercase hex. */
  static String randomHex(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
