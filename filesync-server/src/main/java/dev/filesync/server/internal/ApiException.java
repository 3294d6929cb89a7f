package dev.filesync.server.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A refused request: becomes {@code {"error": {"code", "message", ...errorFields}, ...topFields}}
 * with the status of its {@link ErrorCode}.
 */
public final class ApiException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** The error code. */
  private final ErrorCode code;

  private final transient Map<String, Object> errorFields = new LinkedHashMap<>();
  private final transient Map<String, Object> topFields = new LinkedHashMap<>();

  /**
   * Creates the exception.
   *
   * @param code the error code
   * @param message the message for the client; must not reveal server configuration
   */
  public ApiException(ErrorCode code, String message) {
    super(message, null, false, false);
    this.code = Objects.requireNonNull(code, "code");
  }

  /**
   * Adds a field inside {@code error}, such as {@code head}.
   *
   * @param name the field name
   * @param value a string, number or boolean
   * @return this exception
   */
  public ApiException withErrorField(String name, Object value) {
    errorFields.put(name, value);
    return this;
  }

  /**
   * Adds a field beside {@code error}, such as {@code backendId}.
   *
   * @param name the field name
   * @param value a string, number or boolean
   * @return this exception
   */
  public ApiException withTopField(String name, Object value) {
    topFields.put(name, value);
    return this;
  }

  /**
   * The error code.
   *
   * @return the code
   */
  public ErrorCode code() {
    return code;
  }

  /**
   * Fields inside {@code error}.
   *
   * @return the fields, in order
   */
  public Map<String, Object> errorFields() {
    return errorFields;
  }

  /**
   * Fields beside {@code error}.
   *
   * @return the fields, in order
   */
  public Map<String, Object> topFields() {
    return topFields;
  }
}
