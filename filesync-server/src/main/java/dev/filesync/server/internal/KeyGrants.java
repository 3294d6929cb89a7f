package dev.filesync.server.internal;

import java.util.List;

/**
 * Which object keys a bearer token may use, derived from the store patterns its {@link
 * dev.filesync.server.Authenticator} returns. Keys are {@code <sanitizedStoreId>/<hash>}, where
 * {@code sanitize(id)} replaces every character outside {@code [A-Za-z0-9._-]} with {@code _} (as
 * the JS client does). Grants compare <em>whole first segments</em>, never raw prefixes:
 *
 * <ul>
 *   <li>{@code *} grants every key;
 *   <li>an exact store id {@code s} grants keys whose first segment equals {@code sanitize(s)}, so
 *       a grant for {@code user1} never allows {@code user10/…};
 *   <li>a prefix pattern {@code p*} grants keys whose first segment starts with {@code sanitize(p)}
 *       and is longer than it.
 * </ul>
 *
 * <p>Consequence: sanitizing is lossy, so store ids that sanitize alike share keys. A grant for
 * {@code user-42/*} (sanitized prefix {@code user-42_}) also allows the keys of a store named
 * {@code user-42_x} or {@code user-42:x}; a grant for {@code a/b} allows the keys of {@code a_b}.
 * Choose store ids whose sanitized forms do not collide across tenants (store ids outside {@code
 * [A-Za-z0-9._-]}, such as non-Latin names, collapse to {@code _} runs). A prefix pattern whose
 * sanitized prefix is nothing but {@code _} grants no storage keys at all.
 */
public final class KeyGrants {

  private static final KeyGrants ALL = new KeyGrants(true, List.of(), List.of());

  private final boolean all;
  private final List<String> exact;
  private final List<String> prefixes;

  private KeyGrants(boolean all, List<String> exact, List<String> prefixes) {
    this.all = all;
    this.exact = exact;
    this.prefixes = prefixes;
  }

  /**
   * The grants of a list of store patterns.
   *
   * @param patterns patterns checked by {@link StorePatterns#checkPattern}
   * @return the grants
   */
  public static KeyGrants of(List<String> patterns) {
    List<String> exact = new java.util.ArrayList<>();
    List<String> prefixes = new java.util.ArrayList<>();
    for (String p : patterns) {
      if (p.equals("*")) {
        return ALL;
      }
      if (p.endsWith("*")) {
        String prefix = sanitize(p.substring(0, p.length() - 1));
        // a prefix made only of replaced characters (e.g. a non-Latin store id) would match every
        // key segment starting with '_': it grants sync only, no storage keys
        if (!prefix.isEmpty() && !prefix.chars().allMatch(c -> c == '_')) {
          prefixes.add(prefix);
        }
      } else {
        exact.add(sanitize(p));
      }
    }
    return new KeyGrants(false, List.copyOf(exact), List.copyOf(prefixes));
  }

  /**
   * The JS client's {@code sanitizeStoreId}: every UTF-16 unit outside {@code [A-Za-z0-9._-]}
   * becomes {@code _}.
   *
   * @param storeId a store id
   * @return the sanitized id
   */
  public static String sanitize(String storeId) {
    StringBuilder b = new StringBuilder(storeId.length());
    for (int i = 0; i < storeId.length(); i++) {
      char c = storeId.charAt(i);
      boolean ok =
          (c >= 'A' && c <= 'Z')
              || (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9')
              || c == '.'
              || c == '_'
              || c == '-';
      b.append(ok ? c : '_');
    }
    return b.toString();
  }

  /**
   * Whether the grants allow a key.
   *
   * @param key a safe key ({@link Keys#check})
   * @return whether it is allowed
   */
  public boolean allows(String key) {
    if (all) {
      return true;
    }
    int slash = key.indexOf('/');
    String first = slash < 0 ? key : key.substring(0, slash);
    for (String e : exact) {
      if (first.equals(e)) {
        return true;
      }
    }
    for (String p : prefixes) {
      if (first.length() > p.length() && first.startsWith(p)) {
        return true;
      }
    }
    return false;
  }
}
