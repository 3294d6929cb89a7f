package dev.filesync.server.internal;

import dev.filesync.server.BlobStore;
import dev.filesync.server.BlobStore.BlobInfo;
import dev.filesync.server.BlobStore.PartInfo;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gateway mode: URLs point back at this server ({@code {origin}{filesBase}/<key>?exp=…&sig=…},
 * signed by {@link GatewaySignature}) and the bytes go through it into a {@link BlobStore}. The
 * data plane that serves those URLs is {@link StorageHandlers}. {@link #close()} closes the blob
 * store.
 */
public final class GatewayBackend implements StorageBackend {

  private static final Logger LOG = LoggerFactory.getLogger(GatewayBackend.class);
  private static final String HEALTH_KEY = "filesync-health/probe";

  private final BlobStore store;
  private final GatewaySignature signature;
  private final String filesBasePath;
  private final URI publicBaseUrl;

  /**
   * Creates the backend.
   *
   * @param store where the bytes go; closed with this backend
   * @param signature signs the URLs
   * @param filesBasePath the data plane's path, such as {@code /livestore-filesync-files}
   * @param publicBaseUrl the base of URLs when behind a proxy, or null to use the request's origin
   */
  public GatewayBackend(
      BlobStore store, GatewaySignature signature, String filesBasePath, URI publicBaseUrl) {
    this.store = Objects.requireNonNull(store, "store");
    this.signature = Objects.requireNonNull(signature, "signature");
    this.filesBasePath = Objects.requireNonNull(filesBasePath, "filesBasePath");
    this.publicBaseUrl = publicBaseUrl;
  }

  /**
   * The blob store.
   *
   * @return the store
   */
  public BlobStore store() {
    return store;
  }

  /**
   * The URL signer.
   *
   * @return the signer
   */
  public GatewaySignature signature() {
    return signature;
  }

  /**
   * The data plane's path.
   *
   * @return the path
   */
  public String filesBasePath() {
    return filesBasePath;
  }

  private String objectUrl(URI origin, String key) {
    String base = (publicBaseUrl != null ? publicBaseUrl : origin).toString();
    while (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    return base + filesBasePath + "/" + Keys.encodePath(key);
  }

  private long expiry(Duration ttl) {
    return signature.nowSeconds() + Math.max(1, ttl.toSeconds());
  }

  private static String q(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  @Override
  public Signed signUpload(
      URI origin,
      String key,
      String contentType,
      long contentLength,
      String sha256Hex,
      Duration ttl) {
    long exp = expiry(ttl);
    GatewaySignature.Claims claims =
        new GatewaySignature.Claims(
            "PUT", key, exp, null, 0, sha256Hex, contentLength, contentType);
    StringBuilder url = new StringBuilder(objectUrl(origin, key)).append("?exp=").append(exp);
    if (sha256Hex != null) {
      url.append("&sha256=").append(sha256Hex);
    }
    if (contentLength >= 0) {
      url.append("&len=").append(contentLength);
    }
    if (contentType != null) {
      url.append("&type=").append(q(contentType));
    }
    url.append("&sig=").append(signature.sign(claims));
    Map<String, String> headers =
        contentType != null ? Map.of("Content-Type", contentType) : Map.of();
    return new Signed("PUT", URI.create(url.toString()), headers, Instant.ofEpochSecond(exp));
  }

  @Override
  public Signed signDownload(URI origin, String key, Duration ttl) {
    long exp = expiry(ttl);
    String sig = signature.sign(GatewaySignature.Claims.of("GET", key, exp));
    URI url = URI.create(objectUrl(origin, key) + "?exp=" + exp + "&sig=" + sig);
    return new Signed("GET", url, Map.of(), Instant.ofEpochSecond(exp));
  }

  @Override
  public void delete(String key) throws IOException {
    store.delete(key);
  }

  @Override
  public String createMultipart(String key, String contentType) throws IOException {
    return store.createMultipart(key, contentType);
  }

  @Override
  public List<Signed> signParts(
      URI origin, String key, String uploadId, List<Integer> partNumbers, Duration ttl) {
    long exp = expiry(ttl);
    String base = objectUrl(origin, key);
    List<Signed> signed = new ArrayList<>(partNumbers.size());
    for (int part : partNumbers) {
      String sig =
          signature.sign(
              new GatewaySignature.Claims("PUT", key, exp, uploadId, part, null, -1, null));
      URI url =
          URI.create(
              base
                  + "?exp="
                  + exp
                  + "&uploadId="
                  + q(uploadId)
                  + "&partNumber="
                  + part
                  + "&sig="
                  + sig);
      signed.add(new Signed("PUT", url, Map.of(), Instant.ofEpochSecond(exp)));
    }
    return signed;
  }

  @Override
  public List<PartInfo> listParts(String key, String uploadId) throws IOException {
    return store.listParts(key, uploadId);
  }

  @Override
  public BlobInfo completeMultipart(
      String key, String uploadId, List<PartInfo> parts, String sha256Hex) throws IOException {
    return store.completeMultipart(key, uploadId, parts, sha256Hex);
  }

  @Override
  public void abortMultipart(String key, String uploadId) throws IOException {
    store.abortMultipart(key, uploadId);
  }

  @Override
  public boolean healthy() {
    try {
      store.head(HEALTH_KEY);
      return true;
    } catch (IOException | RuntimeException e) {
      LOG.warn("storage health check failed: {}", e.toString());
      return false;
    }
  }

  @Override
  public void close() throws IOException {
    store.close();
  }

  @Override
  public String toString() {
    return "GatewayBackend[" + store + "]";
  }
}
