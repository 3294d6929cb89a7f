package dev.filesync.server.internal;

import java.util.List;

/** Store id rules and store pattern matching, shared by the config and the request handlers. */
public final class StorePatterns {

  /** The longest store id, in characters. */
  public static final int MAX_STORE_ID_LENGTH = 256;

  private StorePatterns() {}

  /**
   * Explains why a store id is invalid.
   *
   * @param storeId a store id, possibly null
   * @return why it is invalid, or null if it is valid
   */
  public static String whyInvalid(String storeId) {
    if (storeId == null) {
      return "the storeId query parameter is missing";
    }
    if (storeId.isEmpty()) {
      return "storeId is empty";
    }
    if (storeId.length() > MAX_STORE_ID_LENGTH) {
      return "storeId is longer than " + MAX_STORE_ID_LENGTH + " characters";
    }
    if (hasControl(storeId)) {
      return "storeId contains a control character";
    }
    return null;
  }

  /**
   * Whether a string contains a control character (C0, DEL or C1).
   *
   * @param s the string
   * @return whether it has one
   */
  public static boolean hasControl(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.isISOControl(s.charAt(i))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Checks a pattern: {@code *}, a prefix ending in {@code *}, or an exact store id.
   *
   * @param pattern the pattern
   * @throws IllegalArgumentException naming the pattern if it is malformed
   */
  public static void checkPattern(String pattern) {
    if (pattern == null || pattern.isEmpty()) {
      throw new IllegalArgumentException("store pattern is empty");
    }
    int star = pattern.indexOf('*');
    if (star >= 0 && star != pattern.length() - 1) {
      throw new IllegalArgumentException(
          "store pattern '" + pattern + "' has a '*' that is not its last character");
    }
    String id = star >= 0 ? pattern.substring(0, star) : pattern;
    if (!id.isEmpty() && whyInvalid(id) != null) {
      throw new IllegalArgumentException(
          "store pattern '" + pattern + "' is not a valid store id or prefix");
    }
  }

  /**
   * Whether one of the patterns grants the store.
   *
   * @param patterns patterns checked by {@link #checkPattern}
   * @param storeId a valid store id
   * @return whether it is granted
   */
  public static boolean grants(List<String> patterns, String storeId) {
    for (String pattern : patterns) {
      if (pattern.equals("*") || pattern.equals(storeId)) {
        return true;
      }
      if (pattern.endsWith("*")) {
        String prefix = pattern.substring(0, pattern.length() - 1);
        if (storeId.length() > prefix.length() && storeId.startsWith(prefix)) {
          return true;
        }
      }
    }
    return false;
  }
}
