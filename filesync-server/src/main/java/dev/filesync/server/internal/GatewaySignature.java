package dev.filesync.server.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Base64;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The HMAC of gateway URLs, in the reference R2 handler's format: {@code sig = base64url without
 * padding of HMAC-SHA256(secret, message)}, with {@code message = "METHOD\nkey\nexp"} ({@code exp}
 * in Unix seconds, decimal). Extensions, each appended as further lines in this order when present:
 *
 * <ul>
 *   <li>a multipart part: {@code "\n" + uploadId + "\n" + partNumber};
 *   <li>a bound SHA-256: {@code "\nsha256:" + hex};
 *   <li>a bound length: {@code "\nlength:" + n};
 *   <li>a bound media type: {@code "\ntype:" + contentType}.
 * </ul>
 *
 * <p>Verification recomputes the signature and compares it with {@link MessageDigest#isEqual} (in
 * constant time). A URL is expired when {@code exp < now} in whole seconds of the injected {@link
 * Clock}, so {@code exp == now} still works. Thread-safe.
 */
public final class GatewaySignature {

  /** The outcome of a verification. */
  public enum Verdict {
    /** The signature is right and the URL is not expired. */
    VALID,
    /** The signature is right but the URL is expired. */
    EXPIRED,
    /** The signature does not match the request. */
    MISMATCH
  }

  /**
   * What a URL signs.
   *
   * @param method {@code PUT}, {@code GET} or {@code DELETE}
   * @param key the (decoded) key
   * @param exp expiry, Unix seconds
   * @param uploadId the multipart upload id, or null
   * @param partNumber the part number, or 0 when {@code uploadId} is null
   * @param sha256Hex a bound SHA-256, or null
   * @param length a bound length, or -1
   * @param contentType a bound media type, or null
   */
  public record Claims(
      String method,
      String key,
      long exp,
      String uploadId,
      int partNumber,
      String sha256Hex,
      long length,
      String contentType) {

    /**
     * Plain claims: method, key, expiry.
     *
     * @param method the method
     * @param key the key
     * @param exp the expiry
     * @return the claims
     */
    public static Claims of(String method, String key, long exp) {
      return new Claims(method, key, exp, null, 0, null, -1, null);
    }

    /** The signed message. */
    String message() {
      StringBuilder b = new StringBuilder(key.length() + 64);
      b.append(method).append('\n').append(key).append('\n').append(exp);
      if (uploadId != null) {
        b.append('\n').append(uploadId).append('\n').append(partNumber);
      }
      if (sha256Hex != null) {
        b.append("\nsha256:").append(sha256Hex);
      }
      if (length >= 0) {
        b.append("\nlength:").append(length);
      }
      if (contentType != null) {
        b.append("\ntype:").append(contentType);
      }
      return b.toString();
    }
  }

  private final SecretKeySpec secret;
  private final Clock clock;

  /**
   * Creates a signer.
   *
   * @param secret the HMAC secret (UTF-8)
   * @param clock the clock expiry is checked against
   */
  public GatewaySignature(String secret, Clock clock) {
    Objects.requireNonNull(secret, "secret");
    if (secret.isEmpty()) {
      throw new IllegalArgumentException("gateway secret is empty");
    }
    this.secret = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * The clock.
   *
   * @return the clock
   */
  public Clock clock() {
    return clock;
  }

  /**
   * Now, in Unix seconds of the clock.
   *
   * @return seconds
   */
  public long nowSeconds() {
    return Math.floorDiv(clock.millis(), 1000L);
  }

  /**
   * Signs a message.
   *
   * @param message the message
   * @return base64url of the HMAC-SHA256, without padding
   */
  public String sign(String message) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(mac(message));
  }

  /**
   * Signs claims.
   *
   * @param claims the claims
   * @return the {@code sig} value
   */
  public String sign(Claims claims) {
    return sign(claims.message());
  }

  /**
   * Verifies a {@code sig} against claims, in constant time, then checks expiry.
   *
   * @param claims what the request claims (method, key, exp and extensions from the request)
   * @param sig the {@code sig} query value
   * @return the verdict
   */
  public Verdict verify(Claims claims, String sig) {
    byte[] given;
    try {
      given = Base64.getUrlDecoder().decode(sig);
    } catch (IllegalArgumentException e) {
      return Verdict.MISMATCH;
    }
    // Re-encoding must give back the same text: rejects padded or otherwise non-canonical forms.
    byte[] expected = mac(claims.message());
    boolean same =
        MessageDigest.isEqual(expected, given)
            && sig.equals(Base64.getUrlEncoder().withoutPadding().encodeToString(given));
    if (!same) {
      return Verdict.MISMATCH;
    }
    return claims.exp() < nowSeconds() ? Verdict.EXPIRED : Verdict.VALID;
  }

  private byte[] mac(String message) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(secret);
      return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
