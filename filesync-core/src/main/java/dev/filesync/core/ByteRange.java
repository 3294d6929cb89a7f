package dev.filesync.core;

import java.util.Locale;

/**
 * What a {@code Range} header asks of a representation of {@code length} bytes (RFC 9110 §14): the
 * whole body ({@link #WHOLE}: no header, another unit, a malformed value, or several ranges, which
 * the local endpoint answers with the whole body), nothing it can give ({@link #UNSATISFIABLE}), or
 * one range {@code [first, last]}, inclusive and within the body.
 */
record ByteRange(Kind kind, long first, long last) {

  enum Kind {
    WHOLE,
    UNSATISFIABLE,
    PARTIAL
  }

  static final ByteRange WHOLE = new ByteRange(Kind.WHOLE, -1, -1);
  static final ByteRange UNSATISFIABLE = new ByteRange(Kind.UNSATISFIABLE, -1, -1);

  /** The number of bytes of a {@link Kind#PARTIAL} range. */
  long length() {
    return last - first + 1;
  }

  /** The range {@code header} (may be null) asks of a body of {@code length} bytes. */
  static ByteRange parse(String header, long length) {
    if (header == null) {
      return WHOLE;
    }
    String h = header.trim();
    int eq = h.indexOf('=');
    if (eq < 0 || !h.substring(0, eq).trim().toLowerCase(Locale.ROOT).equals("bytes")) {
      return WHOLE; // unknown unit: ignore the header
    }
    String spec = h.substring(eq + 1).trim();
    if (spec.indexOf(',') >= 0) {
      return WHOLE; // several ranges: answered with the whole body, not multipart/byteranges
    }
    int dash = spec.indexOf('-');
    if (dash < 0) {
      return WHOLE;
    }
    String a = spec.substring(0, dash).trim();
    String b = spec.substring(dash + 1).trim();
    if (a.isEmpty()) {
      // suffix: the last n bytes
      long n = number(b);
      if (n < 0) {
        return WHOLE;
      }
      if (n == 0 || length == 0) {
        return UNSATISFIABLE;
      }
      return new ByteRange(Kind.PARTIAL, Math.max(0, length - n), length - 1);
    }
    long first = number(a);
    if (first < 0) {
      return WHOLE;
    }
    long last;
    if (b.isEmpty()) {
      last = Long.MAX_VALUE;
    } else {
      last = number(b);
      if (last < 0 || last < first) {
        return WHOLE; // invalid: ignored, as RFC 9110 says
      }
    }
    if (first >= length) {
      return UNSATISFIABLE;
    }
    return new ByteRange(Kind.PARTIAL, first, Math.min(last, length - 1));
  }

  /** A run of digits as a number (saturating at Long.MAX_VALUE), or -1 when it is not one. */
  private static long number(String s) {
    if (s.isEmpty()) {
      return -1;
    }
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      if (n > (Long.MAX_VALUE - 9) / 10) {
        n = Long.MAX_VALUE;
      } else {
        n = n * 10 + (c - '0');
      }
    }
    return n;
  }
}
