package dev.filesync.image;

/** What happens to a source's embedded colour profile when an image is re-encoded. */
public enum ColorHandling {
  /**
   * Keep the pixel values and embed the source's ICC profile in the output (JPEG and PNG; WebP
   * output is converted to sRGB, since its writer cannot embed a profile). CMYK sources are always
   * converted to RGB through their profile.
   */
  KEEP_ICC,
  /** Convert the pixels to sRGB through the source's profile and embed no profile. */
  CONVERT_TO_SRGB
}
