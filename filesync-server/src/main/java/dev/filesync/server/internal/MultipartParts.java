package dev.filesync.server.internal;

import dev.filesync.server.BlobStore.PartInfo;
import dev.filesync.server.BlobStoreException;
import dev.filesync.server.BlobStoreException.Kind;
import java.util.ArrayList;
import java.util.List;

/** The completion rules of a multipart upload, the same for every blob store. */
final class MultipartParts {
  private MultipartParts() {}

  /** The stored parts named by a completion, in order, or BAD_PART. */
  static List<PartInfo> check(List<PartInfo> wanted, List<PartInfo> stored)
      throws BlobStoreException {
    if (wanted == null || wanted.isEmpty()) {
      throw new BlobStoreException(Kind.BAD_PART, "a completion must list at least one part");
    }
    List<PartInfo> joined = new ArrayList<>();
    int previous = 0;
    for (PartInfo part : wanted) {
      if (part.partNumber() <= previous) {
        throw new BlobStoreException(
            Kind.BAD_PART, "parts must be listed in ascending order: " + part.partNumber());
      }
      previous = part.partNumber();
      String etag = unquote(part.etag());
      PartInfo have =
          stored.stream()
              .filter(p -> p.partNumber() == part.partNumber())
              .findFirst()
              .orElseThrow(
                  () ->
                      new BlobStoreException(
                          Kind.BAD_PART, "part " + part.partNumber() + " was not uploaded"));
      if (!have.etag().equalsIgnoreCase(etag)) {
        throw new BlobStoreException(
            Kind.BAD_PART,
            "part " + part.partNumber() + " has ETag " + have.etag() + ", not " + etag);
      }
      joined.add(have);
    }
    return joined;
  }

  /** An ETag without its surrounding quotes. */
  static String unquote(String etag) {
    if (etag == null) {
      return "";
    }
    String e = etag.strip();
    if (e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")) {
      e = e.substring(1, e.length() - 1);
    }
    return e;
  }
}
