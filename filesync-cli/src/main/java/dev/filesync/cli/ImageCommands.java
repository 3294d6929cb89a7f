package dev.filesync.cli;

import dev.filesync.core.FileSync;
import dev.filesync.image.ImageFormat;
import dev.filesync.image.ImagePreprocessor;
import dev.filesync.image.ThumbnailConfig;
import dev.filesync.image.ThumbnailException;
import dev.filesync.image.Thumbnails;
import dev.filesync.image.internal.ImageSniffer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The image options of {@code add} and the {@code thumbnail} command. */
final class ImageCommands {
  private ImageCommands() {}

  /** {@code --max-dimension}, {@code --format}, {@code --quality} of {@code add}. */
  static final class ImageOptions {
    @Option(
        names = "--max-dimension",
        paramLabel = "N",
        description = "Resize images to at most N pixels wide and high before saving (0: keep).")
    Integer maxDimension;

    @Option(
        names = "--format",
        paramLabel = "FORMAT",
        description = "Image format to save: jpeg, webp, png or keep (default: jpeg).")
    String format;

    @Option(
        names = "--quality",
        paramLabel = "Q",
        description = "JPEG/WebP quality 1-100 (default: 90).")
    Integer quality;

    /** The preprocessor these options ask for, or null when none was given. */
    ImagePreprocessor preprocessor() {
      if (maxDimension == null && format == null && quality == null) {
        return null;
      }
      try {
        ImagePreprocessor.Builder b = ImagePreprocessor.builder();
        b.maxDimension(
            maxDimension == null ? ImagePreprocessor.DEFAULT_MAX_DIMENSION : maxDimension);
        if (format != null) {
          b.format(ImageFormat.parse(format));
        }
        if (quality != null) {
          b.quality(quality);
        }
        return b.build();
      } catch (IllegalArgumentException e) {
        throw new FileSyncCli.UsageError(e.getMessage());
      }
    }
  }

  /**
   * Saves {@code file}, naming its media type from its first bytes when it is an image (so the
   * image preprocessor applies whatever the file's extension).
   */
  static String saveImage(FileSync files, Path file) throws IOException {
    Optional<String> mime = ImageSniffer.sniff(file);
    if (mime.isEmpty()) {
      return files.save(file);
    }
    try (InputStream in = Files.newInputStream(file)) {
      return files.save(in, file.getFileName().toString(), mime.get());
    }
  }

  /** {@code thumbnail ID SIZE -o OUT}: writes a thumbnail, generating it if needed. */
  @Command(
      name = "thumbnail",
      mixinStandardHelpOptions = true,
      description =
          "Write the SIZE thumbnail of a file to OUT, generating it (and downloading the file)"
              + " if needed.")
  static final class Thumbnail implements Callable<Integer> {
    @Mixin ClientOptions client;

    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Parameters(index = "1", paramLabel = "SIZE")
    String size;

    @Option(
        names = {"-o", "--output"},
        required = true,
        paramLabel = "OUT")
    Path output;

    @Option(
        names = "--thumbnail-sizes",
        paramLabel = "SPEC",
        defaultValue = "small=128,medium=256,large=512",
        description = "Named sizes (default: ${DEFAULT-VALUE}).")
    String sizes;

    @Option(
        names = "--thumbnail-format",
        paramLabel = "FORMAT",
        defaultValue = "webp",
        description = "jpeg, webp or png (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(
        names = "--timeout",
        paramLabel = "DURATION",
        defaultValue = "5m",
        description = "How long to wait for the file's download (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Override
    public Integer call() throws IOException, InterruptedException {
      Map<String, Integer> named;
      ImageFormat fmt;
      try {
        named = ThumbnailConfig.parseSizes(sizes);
        fmt = ImageFormat.parse(format);
      } catch (IllegalArgumentException e) {
        throw new FileSyncCli.UsageError(e.getMessage());
      }
      if (!named.containsKey(size)) {
        throw new FileSyncCli.UsageError(
            "unknown thumbnail size '" + size + "' (configured: " + named.keySet() + ")");
      }
      Duration limit = ServerCommand.duration("--timeout", timeout);
      try (ClientOptions.Session s = client.open()) {
        FileCommands.Row r =
            client.server == null
                ? FileCommands.row(s.store(), id)
                : FileCommands.rowAfterSync(s.store(), id, limit);
        if (r.deleted()) {
          throw new FileSyncCli.UsageError("file " + id + " is deleted");
        }
        ThumbnailConfig config;
        try {
          // On demand only: this command must not take over the settings and the background
          // work of an application (or a watch) using the same data directory.
          config =
              ThumbnailConfig.builder(s.files())
                  .sizes(named)
                  .format(fmt)
                  .generateInBackground(false)
                  .build();
        } catch (IllegalArgumentException e) {
          throw new FileSyncCli.UsageError(e.getMessage());
        }
        FileCommands.awaitLocal(s.files(), id, limit, timeout);
        try (Thumbnails thumbs = Thumbnails.start(config)) {
          Path made = thumbs.generate(id, size);
          try (InputStream in = Files.newInputStream(made)) {
            FileCommands.writeAtomically(in, output);
          }
        } catch (ThumbnailException e) {
          throw new IOException(e.getMessage(), e);
        } catch (NoSuchFileException e) {
          throw new FileSyncCli.UsageError("no file with id " + id);
        }
      }
      return 0;
    }
  }
}
