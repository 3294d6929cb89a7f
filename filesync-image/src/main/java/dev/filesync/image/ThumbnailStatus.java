package dev.filesync.image;

import java.util.Locale;

/** Where one thumbnail size of one file stands; stored in lower case as the reference does. */
public enum ThumbnailStatus {
  /** Waiting for the file's bytes to arrive on this device. */
  PENDING,
  /** Waiting for a generation slot. */
  QUEUED,
  /** Being generated. */
  GENERATING,
  /** Generated; the path is set. */
  DONE,
  /** Generation failed for good (a bad image, or too many failed attempts); the error is set. */
  ERROR,
  /** Not an image FileSync can read: no thumbnail will be made. */
  SKIPPED;

  /** The stored name, e.g. {@code done}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a stored name. */
  public static ThumbnailStatus fromWire(String name) {
    return valueOf(name.toUpperCase(Locale.ROOT));
  }

  /** Whether nothing more will happen without a change (done, error or skipped). */
  public boolean settled() {
    return this == DONE || this == ERROR || this == SKIPPED;
  }
}
