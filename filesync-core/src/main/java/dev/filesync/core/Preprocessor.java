package dev.filesync.core;

import java.io.IOException;
import java.io.InputStream;

/**
 * Transforms a file before it is saved (resize an image, re-encode, strip data), chosen by MIME
 * pattern in {@link FileSyncConfig.Builder#preprocessor}: an exact type wins over {@code type/*},
 * which wins over {@code *}. The stored and synced bytes are the ones it returns.
 */
@FunctionalInterface
public interface Preprocessor {

  /**
   * The result of a preprocessor.
   *
   * @param content the new bytes; FileSync reads and closes it
   * @param metadata metadata to sync (missing mimeType and sizeBytes are filled in), or {@code
   *     null}
   */
  record Result(InputStream content, FileMetadata metadata) {
    /** Checks the content. */
    public Result {
      if (content == null) {
        throw new IllegalArgumentException("a preprocessor must return content");
      }
    }
  }

  /**
   * Processes one file.
   *
   * @param in the original bytes (do not close)
   * @param name the file name given to save, or {@code null}
   * @param mimeType the media type given to save, or {@code null}
   */
  Result process(InputStream in, String name, String mimeType) throws IOException;
}
