package dev.filesync.image.vips;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The few libvips functions the backend calls, bound by hand with {@code java.lang.foreign}.
 *
 * <p>libvips' operations are C varargs functions ({@code vips_thumbnail(name, &out, width,
 * "height", h, NULL)}): each call site has its own argument list, so handles are made on first use
 * from the Java types of the arguments ({@link MemorySegment} is a pointer, {@link Integer} a C
 * {@code int}, {@link Double} a {@code double}, {@link String} a C string allocated for the call)
 * and cached by signature. Variadic calls get their terminating {@code NULL} appended here.
 *
 * <p>Thread-safe: libvips is, and the handle cache is a concurrent map. The one shared piece of
 * libvips state this class reads, the error buffer, is global in libvips; a message read after a
 * failure may include another thread's message if two fail at the same time.
 */
@SuppressWarnings("restricted") // the whole point of this class; callers need native access
final class Vips {
  /** {@code VIPS_SIZE_FORCE}: scale to exactly the given width and height. */
  static final int SIZE_FORCE = 3;

  /** {@code VIPS_FAIL_ON_TRUNCATED}: a truncated file is an error, not a grey tail. */
  static final int FAIL_ON_TRUNCATED = 1;

  /** {@code VIPS_FORMAT_UCHAR}. */
  static final int FORMAT_UCHAR = 0;

  /** {@code VIPS_INTERPRETATION_B_W}. */
  static final int INTERPRETATION_B_W = 1;

  /** {@code VIPS_INTERPRETATION_sRGB}. */
  static final int INTERPRETATION_SRGB = 22;

  /** The name of the metadata field holding an embedded ICC profile. */
  static final String ICC_FIELD = "icc-profile-data";

  private static final Linker LINKER = Linker.nativeLinker();

  private final SymbolLookup lib;
  private final ConcurrentHashMap<String, MethodHandle> handles = new ConcurrentHashMap<>();
  private final String version;

  private final int major;
  private final int minor;

  private Vips(SymbolLookup lib) {
    this.lib = lib;
    this.major = intCall("vips_version", 0);
    this.minor = intCall("vips_version", 1);
    this.version = major + "." + minor + "." + intCall("vips_version", 2);
  }

  /** What the backend calls, checked when the library is loaded. */
  private static final List<String> REQUIRED =
      List.of(
          "vips_init",
          "vips_version",
          "vips_cache_set_max",
          "vips_error_buffer_copy",
          "vips_foreign_find_load",
          "vips_image_new_from_file",
          "vips_image_get_orientation",
          "vips_thumbnail",
          "vips_thumbnail_image",
          "vips_image_copy_memory",
          "vips_flatten",
          "vips_jpegsave",
          "vips_webpsave",
          "vips_pngsave",
          "vips_thread_shutdown",
          "g_object_unref",
          "g_free",
          "g_strfreev");

  /**
   * Loads and initializes libvips, and turns its operation cache off (a file replaced under the
   * same name must never be answered from the cache).
   *
   * @throws UnsupportedOperationException with a message saying why, when it cannot be used here
   */
  static Vips load(String library) {
    SymbolLookup lib;
    try {
      lib = SymbolLookup.libraryLookup(library, Arena.global());
    } catch (IllegalArgumentException e) {
      throw new UnsupportedOperationException(
          library
              + " cannot be loaded (install libvips, e.g. `apt-get install libvips42`): "
              + e.getMessage(),
          e);
    } catch (IllegalCallerException e) {
      throw new UnsupportedOperationException(
          "native access is not enabled for this code (run java with --enable-native-access=ALL-UNNAMED): "
              + e.getMessage(),
          e);
    }
    for (String symbol : REQUIRED) {
      if (lib.find(symbol).isEmpty()) {
        throw new UnsupportedOperationException(
            library + " lacks " + symbol + " (libvips 8.12 or newer is needed)");
      }
    }
    Vips vips = new Vips(lib);
    if (vips.major < 8 || (vips.major == 8 && vips.minor < 12)) {
      // fail_on (truncated files are errors) came with 8.12
      throw new UnsupportedOperationException(
          library + " is libvips " + vips.version + "; the backend needs 8.12 or newer");
    }
    if (vips.intCall("vips_init", Arena.global().allocateFrom("filesync")) != 0) {
      throw new UnsupportedOperationException("vips_init failed: " + vips.takeError());
    }
    vips.voidCall("vips_cache_set_max", 0);
    return vips;
  }

  /** The library's version, e.g. {@code 8.14.1}. */
  String version() {
    return version;
  }

  // ------------------------------------------------------------------ images

  /** One reference to a {@code VipsImage}; {@link #close()} drops it. */
  final class Image implements AutoCloseable {
    final MemorySegment ptr;
    private boolean closed;

    private Image(MemorySegment ptr) {
      this.ptr = ptr;
    }

    int width() {
      return intCall("vips_image_get_width", ptr);
    }

    int height() {
      return intCall("vips_image_get_height", ptr);
    }

    int bands() {
      return intCall("vips_image_get_bands", ptr);
    }

    int format() {
      return intCall("vips_image_get_format", ptr);
    }

    /** The EXIF orientation libvips read from the header, 1 to 8. */
    int orientation() {
      return intCall("vips_image_get_orientation", ptr);
    }

    boolean hasAlpha() {
      return intCall("vips_image_hasalpha", ptr) != 0;
    }

    boolean has(String field) {
      try (Arena arena = Arena.ofConfined()) {
        return (long) invoke("vips_image_get_typeof", ValueLayout.JAVA_LONG, -1, arena, ptr, field)
            != 0;
      }
    }

    /** The names of the image's metadata fields (the built-in ones included). */
    List<String> fields() {
      MemorySegment array =
          (MemorySegment) invoke("vips_image_get_fields", ValueLayout.ADDRESS, -1, null, ptr);
      List<String> names = new ArrayList<>();
      if (array.equals(MemorySegment.NULL)) {
        return names;
      }
      MemorySegment a = array.reinterpret(Long.MAX_VALUE);
      for (long i = 0; ; i++) {
        MemorySegment s = a.getAtIndex(ValueLayout.ADDRESS, i);
        if (s.equals(MemorySegment.NULL)) {
          break;
        }
        names.add(s.reinterpret(Long.MAX_VALUE).getString(0));
      }
      voidCall("g_strfreev", array);
      return names;
    }

    /** Removes a metadata field; the image must not be shared (use a {@code vips_copy}). */
    void remove(String field) {
      try (Arena arena = Arena.ofConfined()) {
        invoke("vips_image_remove", ValueLayout.JAVA_INT, -1, arena, ptr, field);
      }
    }

    /** Another reference to the same image. */
    Image ref() {
      invoke("g_object_ref", ValueLayout.ADDRESS, -1, null, ptr);
      return new Image(ptr);
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        voidCall("g_object_unref", ptr);
      }
    }
  }

  /**
   * Calls an operation that returns an image through its second argument, {@code int op(in,
   * VipsImage **out, fixed..., options..., NULL)}.
   *
   * @param fixed how many arguments come before the variadic options, the output included
   * @return the output, or empty after a failure (then {@link #takeError()} says why)
   */
  Optional<Image> op(String name, int fixed, Object first, Object... rest) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
      Object[] args = new Object[rest.length + 3];
      args[0] = first;
      args[1] = out;
      System.arraycopy(rest, 0, args, 2, rest.length);
      args[args.length - 1] = MemorySegment.NULL;
      int rc = (int) invoke(name, ValueLayout.JAVA_INT, fixed, arena, args);
      MemorySegment img = out.get(ValueLayout.ADDRESS, 0);
      if (rc != 0 || img.equals(MemorySegment.NULL)) {
        return Optional.empty();
      }
      return Optional.of(new Image(img));
    }
  }

  /**
   * {@code vips_image_new_from_file(name, NULL)}: opens the header only; pixels are read lazily.
   */
  Optional<Image> openHeader(String file) {
    return image(
        invokeIn("vips_image_new_from_file", ValueLayout.ADDRESS, 1, file, MemorySegment.NULL));
  }

  /** {@code vips_image_copy_memory}: computes every pixel into memory, reading the file once. */
  Optional<Image> copyMemory(Image in) {
    return image(invokeIn("vips_image_copy_memory", ValueLayout.ADDRESS, -1, in.ptr));
  }

  /** {@code vips_foreign_find_load}: the loader's class name, or null when none reads the file. */
  String findLoader(String file) {
    MemorySegment s =
        (MemorySegment) invokeIn("vips_foreign_find_load", ValueLayout.ADDRESS, -1, file);
    return s.equals(MemorySegment.NULL) ? null : s.reinterpret(Long.MAX_VALUE).getString(0);
  }

  /**
   * Writes {@code in} with a saver such as {@code vips_jpegsave(in, filename, options..., NULL)}.
   * The savers take the file name as it is (no {@code [options]} suffix is parsed).
   *
   * @return true on success
   */
  boolean save(String saver, Image in, String file, Object... options) {
    Object[] args = new Object[options.length + 3];
    args[0] = in.ptr;
    args[1] = file;
    System.arraycopy(options, 0, args, 2, options.length);
    args[args.length - 1] = MemorySegment.NULL;
    return (int) invokeIn(saver, ValueLayout.JAVA_INT, 2, args) == 0;
  }

  /** A {@code VipsArrayDouble}; release it with {@link #unrefArea}. */
  MemorySegment doubles(double... values) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment a = arena.allocateFrom(ValueLayout.JAVA_DOUBLE, values);
      return (MemorySegment)
          invoke("vips_array_double_new", ValueLayout.ADDRESS, -1, arena, a, values.length);
    }
  }

  void unrefArea(MemorySegment area) {
    voidCall("vips_area_unref", area);
  }

  /**
   * Takes libvips' error message and clears the buffer; the message is trimmed, and says so when
   * libvips left none.
   */
  String takeError() {
    MemorySegment s =
        (MemorySegment) invoke("vips_error_buffer_copy", ValueLayout.ADDRESS, -1, null);
    if (s.equals(MemorySegment.NULL)) {
      return "libvips gave no message";
    }
    String m = s.reinterpret(Long.MAX_VALUE).getString(0).strip();
    voidCall("g_free", s);
    return m.isEmpty() ? "libvips gave no message" : m.replace("\n", "; ");
  }

  /**
   * Frees this thread's libvips buffers. libvips asks for it when a thread that used it ends; pool
   * and virtual-thread carriers end when they please, so the backend calls it after every call.
   */
  void threadShutdown() {
    voidCall("vips_thread_shutdown");
  }

  // ------------------------------------------------------------------ calls

  private Optional<Image> image(Object ptr) {
    MemorySegment p = (MemorySegment) ptr;
    return p.equals(MemorySegment.NULL) ? Optional.empty() : Optional.of(new Image(p));
  }

  private int intCall(String name, Object... args) {
    return (int) invoke(name, ValueLayout.JAVA_INT, -1, null, args);
  }

  private void voidCall(String name, Object... args) {
    invoke(name, null, -1, null, args);
  }

  private Object invokeIn(String name, MemoryLayout ret, int firstVariadic, Object... args) {
    try (Arena arena = Arena.ofConfined()) {
      return invoke(name, ret, firstVariadic, arena, args);
    }
  }

  /**
   * Calls {@code name}. Strings are copied into {@code arena} as C strings (libvips copies what it
   * keeps).
   *
   * @param ret the return layout, or null for {@code void}
   * @param firstVariadic the index of the first variadic argument, or -1
   */
  private Object invoke(
      String name, MemoryLayout ret, int firstVariadic, Arena arena, Object... args) {
    MemoryLayout[] layouts = new MemoryLayout[args.length];
    Object[] values = new Object[args.length];
    for (int i = 0; i < args.length; i++) {
      Object a = args[i];
      switch (a) {
        case MemorySegment m -> {
          layouts[i] = ValueLayout.ADDRESS;
          values[i] = m;
        }
        case Integer n -> {
          layouts[i] = ValueLayout.JAVA_INT;
          values[i] = n;
        }
        case Boolean b -> {
          layouts[i] = ValueLayout.JAVA_INT; // gboolean
          values[i] = b ? 1 : 0;
        }
        case Double d -> {
          layouts[i] = ValueLayout.JAVA_DOUBLE;
          values[i] = d;
        }
        case String s -> {
          layouts[i] = ValueLayout.ADDRESS;
          values[i] = arena.allocateFrom(s);
        }
        default -> throw new IllegalArgumentException("cannot pass " + a + " to " + name);
      }
    }
    FunctionDescriptor fd =
        ret == null ? FunctionDescriptor.ofVoid(layouts) : FunctionDescriptor.of(ret, layouts);
    MethodHandle h =
        handles.computeIfAbsent(
            name + fd + firstVariadic,
            k -> {
              MemorySegment symbol =
                  lib.find(name)
                      .orElseThrow(
                          () -> new UnsupportedOperationException("libvips lacks " + name));
              return firstVariadic < 0
                  ? LINKER.downcallHandle(symbol, fd)
                  : LINKER.downcallHandle(
                      symbol, fd, Linker.Option.firstVariadicArg(firstVariadic));
            });
    try {
      return h.invokeWithArguments(values);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException("calling " + name + " failed", e);
    }
  }
}
