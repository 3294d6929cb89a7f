package dev.filesync.server;

import java.net.URI;
import java.util.Objects;

/**
 * How to reach an S3-compatible service (AWS S3, MinIO, Ceph RGW, R2, s3proxy...).
 *
 * @param endpoint the service URL, e.g. {@code http://127.0.0.1:9000}; {@code null} for AWS's
 *     regional endpoint
 * @param bucket the bucket (3 to 63 characters)
 * @param region the region used in signatures, e.g. {@code us-east-1}
 * @param accessKey the access key id, or {@code null} to use the AWS default credential chain
 *     (environment, profile, instance role)
 * @param secretKey the secret key, or {@code null} with {@code accessKey}
 * @param pathStyle whether the bucket goes in the path ({@code endpoint/bucket/key}) instead of the
 *     host name; most self-hosted services need it
 */
public record S3Settings(
    URI endpoint,
    String bucket,
    String region,
    String accessKey,
    String secretKey,
    boolean pathStyle) {

  /** Validates the values. */
  public S3Settings {
    Objects.requireNonNull(bucket, "bucket");
    if (bucket.length() < 3 || bucket.length() > 63) {
      throw new IllegalArgumentException("S3 bucket name must be 3 to 63 characters: " + bucket);
    }
    if (region == null || region.isBlank()) {
      throw new IllegalArgumentException("S3 region must not be empty");
    }
    if ((accessKey == null) != (secretKey == null)) {
      throw new IllegalArgumentException(
          "give both the S3 access key and the secret key, or neither");
    }
    if (endpoint != null
        && !"http".equals(endpoint.getScheme())
        && !"https".equals(endpoint.getScheme())) {
      throw new IllegalArgumentException("S3 endpoint must be an http or https URL: " + endpoint);
    }
  }

  @Override
  public String toString() {
    // never print the secret
    return "S3Settings[endpoint="
        + endpoint
        + ", bucket="
        + bucket
        + ", region="
        + region
        + ", accessKey="
        + (accessKey == null ? "(default chain)" : accessKey)
        + ", pathStyle="
        + pathStyle
        + "]";
  }
}
