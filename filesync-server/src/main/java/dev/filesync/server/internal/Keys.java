package dev.filesync.server.internal;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The one key-safety rule of the storage service, applied wherever a key enters (JSON bodies,
 * gateway paths, multipart calls). A safe key:
 *
 * <ul>
 *   <li>is not empty and is at most {@value #MAX_KEY_BYTES} bytes in UTF-8;
 *   <li>does not start with {@code /} and has no empty segment ({@code a//b}, a trailing {@code
 *       /});
 *   <li>has no {@code .} or {@code ..} segment;
 *   <li>has no control character (C0, DEL, C1), no backslash and no unpaired surrogate.
 * </ul>
 *
 * <p>JS clients send keys like {@code <sanitizedStoreId>/<64 hex sha256>}, which always pass.
 */
public final class Keys {
  /** Where the S3 blob store stages multipart uploads; never an object key. */
  public static final String RESERVED_PREFIX = ".filesync-uploads/";

  /** The longest key, in UTF-8 bytes. */
  public static final int MAX_KEY_BYTES = 1024;

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private Keys() {}

  /**
   * Explains why a key is unsafe.
   *
   * @param key a key, possibly null
   * @return why it is unsafe, or null if it is safe
   */
  public static String whyUnsafe(String key) {
    if (key == null) {
      return "key is missing";
    }
    if (key.isEmpty()) {
      return "key is empty";
    }
    if (key.charAt(0) == '/') {
      return "key starts with '/'";
    }
    if (key.startsWith(RESERVED_PREFIX)) {
      return "keys under " + RESERVED_PREFIX + " are reserved for multipart staging";
    }
    int utf8 = 0;
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (Character.isISOControl(c)) {
        return "key contains a control character at index " + i;
      }
      if (c == '\\') {
        return "key contains a backslash at index " + i;
      }
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= key.length() || !Character.isLowSurrogate(key.charAt(i + 1))) {
          return "key contains an unpaired surrogate at index " + i;
        }
        utf8 += 4;
        i++;
        continue;
      }
      if (Character.isLowSurrogate(c)) {
        return "key contains an unpaired surrogate at index " + i;
      }
      utf8 += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
    }
    if (utf8 > MAX_KEY_BYTES) {
      return "key is longer than " + MAX_KEY_BYTES + " UTF-8 bytes";
    }
    for (String segment : key.split("/", -1)) {
      if (segment.isEmpty()) {
        return "key has an empty segment";
      }
      if (segment.equals(".") || segment.equals("..")) {
        return "key has a '" + segment + "' segment";
      }
    }
    return null;
  }

  /**
   * Checks a key.
   *
   * @param key the key, possibly null
   * @return the key
   * @throws ApiException {@link ErrorCode#INVALID_KEY} if it is unsafe
   */
  public static String check(String key) {
    String why = whyUnsafe(key);
    if (why != null) {
      throw new ApiException(ErrorCode.INVALID_KEY, why);
    }
    return key;
  }

  /**
   * Percent-encodes a key for a URL path: every byte but the RFC 3986 unreserved characters is
   * encoded, each segment separately, and the {@code /} between segments is kept.
   *
   * @param key a safe key
   * @return the encoded path (no leading {@code /})
   */
  public static String encodePath(String key) {
    StringBuilder b = new StringBuilder(key.length() + 16);
    for (byte x : key.getBytes(StandardCharsets.UTF_8)) {
      int c = x & 0xff;
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~'
          || c == '/') {
        b.append((char) c);
      } else {
        b.append('%').append(HEX[c >> 4]).append(HEX[c & 15]);
      }
    }
    return b.toString();
  }

  /**
   * Decodes a raw (percent-encoded) URL path into a key; {@code +} stays a plus. The result still
   * has to pass {@link #check}.
   *
   * @param rawPath the path after the files base and its {@code /}
   * @return the decoded key
   * @throws ApiException {@link ErrorCode#INVALID_KEY} if an escape is malformed or the bytes are
   *     not UTF-8
   */
  public static String decodePath(String rawPath) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(rawPath.length());
    for (int i = 0; i < rawPath.length(); i++) {
      char c = rawPath.charAt(i);
      if (c == '%') {
        if (i + 2 >= rawPath.length()) {
          throw new ApiException(ErrorCode.INVALID_KEY, "key path has a malformed % escape");
        }
        int hi = Character.digit(rawPath.charAt(i + 1), 16);
        int lo = Character.digit(rawPath.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          throw new ApiException(ErrorCode.INVALID_KEY, "key path has a malformed % escape");
        }
        bytes.write(hi * 16 + lo);
        i += 2;
      } else if (c < 0x80) {
        bytes.write(c);
      } else {
        byte[] raw = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        bytes.write(raw, 0, raw.length);
      }
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      throw new ApiException(ErrorCode.INVALID_KEY, "key path is not UTF-8");
    }
  }
}
