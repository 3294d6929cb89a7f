package dev.filesync.store;

import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * An event argument that may be absent, which is not the same as {@code null}.
 *
 * <p>LiveStore encodes {@code Schema.optional(X)} as a missing key and {@code NullOr(X)} as {@code
 * null}; the reference's {@code v1.FileUpdated} keeps the stored metadata when {@code metadataJson}
 * is absent and clears it when it is {@code null}. A record component of this type is written only
 * when {@linkplain #isPresent() present} (possibly as {@code null}) and reads back as {@link
 * #absent()} when the key is missing.
 *
 * @param <T> the value type
 */
public final class ArgField<T> {
  private static final ArgField<?> ABSENT = new ArgField<>(false, null);

  private final boolean present;
  private final T value;

  private ArgField(boolean present, T value) {
    this.present = present;
    this.value = value;
  }

  /** The absent field: the key is not written. */
  @SuppressWarnings("unchecked")
  public static <T> ArgField<T> absent() {
    return (ArgField<T>) ABSENT;
  }

  /** A present field holding {@code value}, which may be {@code null}. */
  public static <T> ArgField<T> of(T value) {
    return new ArgField<>(true, value);
  }

  /** Whether the key is present (its value may still be {@code null}). */
  public boolean isPresent() {
    return present;
  }

  /**
   * The value of a present field, possibly {@code null}.
   *
   * @throws NoSuchElementException when the field is absent
   */
  public T value() {
    if (!present) {
      throw new NoSuchElementException("the field is absent");
    }
    return value;
  }

  /** The value when present, else {@code other}. */
  public T orElse(T other) {
    return present ? value : other;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ArgField<?> f && f.present == present && Objects.equals(f.value, value);
  }

  @Override
  public int hashCode() {
    return present ? 31 + Objects.hashCode(value) : 0;
  }

  @Override
  public String toString() {
    return present ? "ArgField[" + value + "]" : "ArgField.absent";
  }
}
