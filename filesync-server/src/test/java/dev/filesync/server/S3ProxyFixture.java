package dev.filesync.server;

import java.net.URI;
import java.util.HexFormat;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import org.gaul.s3proxy.S3Proxy;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A real S3-compatible server for tests: s3proxy, in this JVM, on {@code 127.0.0.1} and a free
 * port, keeping objects in memory and checking SigV4 signatures (a tampered or expired presigned
 * URL gets 403).
 *
 * {@snippet :
 * try (S3ProxyFixture s3 = S3ProxyFixture.start()) {
 *   S3Settings settings = s3.newBucket(); // a fresh, empty bucket
 *   try (BlobStore store = BlobStores.s3(settings)) {
 *     // ...
 *   }
 * }
 * }
 *
 * Start one per test class ({@code @BeforeAll}) and close it in {@code @AfterAll}: its Jetty
 * threads are not daemons, so a server left running keeps the test JVM alive.
 */
public final class S3ProxyFixture implements AutoCloseable {
  /** The access key the server accepts. */
  public static final String ACCESS_KEY = "filesync-test-key";

  /** The secret key the server accepts. */
  public static final String SECRET_KEY = "filesync-test-secret";

  /** The region signatures use. */
  public static final String REGION = "us-east-1";

  private final S3Proxy proxy;
  private final URI endpoint;
  private final S3Client client;

  private S3ProxyFixture(S3Proxy proxy, URI endpoint) {
    this.proxy = proxy;
    this.endpoint = endpoint;
    this.client =
        S3Client.builder()
            .httpClient(UrlConnectionHttpClient.create())
            .region(Region.of(REGION))
            .endpointOverride(endpoint)
            .forcePathStyle(true)
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
            .build();
  }

  /**
   * Starts a server (about a second).
   *
   * @throws IllegalStateException when it does not start
   */
  public static S3ProxyFixture start() {
    Properties p = new Properties();
    p.setProperty("s3proxy.endpoint", "http://127.0.0.1:0");
    p.setProperty("s3proxy.authorization", "aws-v2-or-v4");
    p.setProperty("s3proxy.identity", ACCESS_KEY);
    p.setProperty("s3proxy.credential", SECRET_KEY);
    // the SDK sends x-amz-mp-object-size on CompleteMultipartUpload, which s3proxy does not know
    p.setProperty("s3proxy.ignore-unknown-headers", "true");
    p.setProperty("jclouds.provider", "transient-nio2");
    S3Proxy proxy;
    try {
      proxy =
          S3Proxy.Builder.fromProperties(p)
              .blobStore(org.gaul.s3proxy.BlobStores.create("transient-nio2", p))
              .build();
    } catch (Exception e) {
      throw new IllegalStateException("cannot configure s3proxy", e);
    }
    try {
      proxy.start();
      if (!"STARTED".equals(proxy.getState())) {
        throw new IllegalStateException("s3proxy is " + proxy.getState() + " after start()");
      }
      return new S3ProxyFixture(proxy, URI.create("http://127.0.0.1:" + proxy.getPort()));
    } catch (Exception e) {
      stopQuietly(proxy);
      if (e instanceof IllegalStateException ise) {
        throw ise;
      }
      throw new IllegalStateException("cannot start s3proxy", e);
    }
  }

  private static void stopQuietly(S3Proxy proxy) {
    try {
      proxy.stop();
    } catch (Exception e) {
      // already failing
    }
  }

  /** The server's URL, {@code http://127.0.0.1:<port>}. */
  public URI endpoint() {
    return endpoint;
  }

  /**
   * Creates an empty bucket with a random name and returns settings for it (path style, the fixed
   * test credentials).
   */
  public S3Settings newBucket() {
    byte[] bytes = new byte[6];
    ThreadLocalRandom.current().nextBytes(bytes);
    String bucket = "filesync-" + HexFormat.of().formatHex(bytes);
    client.createBucket(b -> b.bucket(bucket));
    return settings(bucket);
  }

  /** Settings for {@code bucket} on this server, whether it exists or not. */
  public S3Settings settings(String bucket) {
    return new S3Settings(endpoint, bucket, REGION, ACCESS_KEY, SECRET_KEY, true);
  }

  /** Empties and removes a bucket (its objects and unfinished multipart uploads). */
  public void deleteBucket(String bucket) {
    for (MultipartUpload u : client.listMultipartUploads(b -> b.bucket(bucket)).uploads()) {
      client.abortMultipartUpload(b -> b.bucket(bucket).key(u.key()).uploadId(u.uploadId()));
    }
    ListObjectsV2Response page;
    do {
      page = client.listObjectsV2(b -> b.bucket(bucket));
      for (S3Object o : page.contents()) {
        client.deleteObject(b -> b.bucket(bucket).key(o.key()));
      }
    } while (Boolean.TRUE.equals(page.isTruncated()));
    client.deleteBucket(b -> b.bucket(bucket));
  }

  /** An SDK client with full access, for looking at the server behind the code under test. */
  public S3Client client() {
    return client;
  }

  /** Stops the server and closes {@link #client()}. */
  @Override
  public void close() {
    try {
      client.close();
    } finally {
      stopQuietly(proxy);
    }
  }
}
