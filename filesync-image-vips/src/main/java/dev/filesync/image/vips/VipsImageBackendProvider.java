package dev.filesync.image.vips;

import dev.filesync.image.ImageBackend;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Optional;

/**
 * Makes the libvips backend when {@code libvips.so.42} can be loaded; found by {@link
 * dev.filesync.image.ImageBackends#best()} through {@link java.util.ServiceLoader}.
 *
 * <p>The backend binds libvips with {@code java.lang.foreign} and is compiled for Java 25 (the API
 * is final since 22), so it needs a Java 25 runtime, the native library ({@code apt-get install
 * libvips42} on Debian and Ubuntu, 8.12 or newer) and native access for the class path ({@code java
 * --enable-native-access=ALL-UNNAMED}; without it the JDK prints a warning, and refuses when run
 * with {@code --illegal-native-access=deny}). When any of them is missing, {@link #create()} gives
 * nothing and {@link #unavailableReason()} says which. The system property {@code
 * filesync.vips.library} names another library to load (a path, for a libvips built into {@code
 * /opt}); otherwise {@code libvips.so.42} is looked up by the system's loader, then the macOS and
 * Windows names.
 *
 * <p>This class is compiled for Java 21, the rest of the module for 25: on a Java 21 runtime the
 * provider still loads and reports that the backend needs a newer Java, instead of breaking the
 * service lookup. libvips is loaded and initialized once per process, on the first {@code
 * create()}.
 *
 * {@snippet :
 * ImageBackend backend = ImageBackends.best(); // libvips when this module and the library are present
 * }
 */
public final class VipsImageBackendProvider implements ImageBackend.Provider {
  /** The system property naming the library to load instead, a file name or a path. */
  static final String LIBRARY_PROPERTY = "filesync.vips.library";

  /** The library's name on Linux; the other systems' names are tried after it. */
  static final String LIBRARY = "libvips.so.42";

  private static final String[] OTHER_LIBRARIES = {"libvips.42.dylib", "libvips-42.dll"};

  private static final Object LOCK = new Object();
  private static Outcome outcome; // guarded by LOCK

  /** What loading libvips gave: a backend, or why not. */
  record Outcome(ImageBackend backend, String reason) {}

  /** A provider; {@link java.util.ServiceLoader} makes one per lookup. */
  public VipsImageBackendProvider() {}

  @Override
  public Optional<ImageBackend> create() {
    return Optional.ofNullable(outcome().backend());
  }

  @Override
  public String unavailableReason() {
    String reason = outcome().reason();
    return reason == null ? "" : reason;
  }

  @Override
  public String toString() {
    return "libvips (" + System.getProperty(LIBRARY_PROPERTY, LIBRARY) + ")";
  }

  private static Outcome outcome() {
    synchronized (LOCK) {
      if (outcome == null) {
        String configured = System.getProperty(LIBRARY_PROPERTY, "").strip();
        if (!configured.isEmpty()) {
          outcome = load(configured);
          return outcome;
        }
        outcome = load(LIBRARY);
        if (outcome.backend() == null
            && outcome.reason().startsWith(LIBRARY + " cannot be loaded")) {
          for (String other : OTHER_LIBRARIES) {
            Outcome o = load(other);
            if (o.backend() != null) {
              outcome = o;
              break;
            }
          }
        }
      }
      return outcome;
    }
  }

  /** Loads libvips from {@code library}, without caching: for tests of the unavailable paths. */
  static Outcome load(String library) {
    if (Runtime.version().feature() < 25) {
      return new Outcome(
          null,
          "the libvips backend needs Java 25 or newer (it uses java.lang.foreign); this is Java "
              + Runtime.version());
    }
    MethodHandle factory;
    try {
      Class<?> backend =
          Class.forName(
              "dev.filesync.image.vips.VipsImageBackend",
              true,
              VipsImageBackendProvider.class.getClassLoader());
      factory =
          MethodHandles.lookup()
              .findStatic(backend, "load", MethodType.methodType(ImageBackend.class, String.class));
    } catch (ReflectiveOperationException | LinkageError e) {
      return new Outcome(null, "the libvips backend cannot be loaded on this Java: " + e);
    }
    try {
      return new Outcome((ImageBackend) factory.invoke(library), null);
    } catch (UnsupportedOperationException e) {
      return new Outcome(null, e.getMessage());
    } catch (IllegalCallerException e) {
      return new Outcome(
          null,
          "native access is not enabled (run java with --enable-native-access=ALL-UNNAMED): "
              + e.getMessage());
    } catch (RuntimeException | LinkageError e) {
      return new Outcome(null, "libvips failed to load: " + e);
    } catch (Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException("loading libvips failed", e);
    }
  }
}
