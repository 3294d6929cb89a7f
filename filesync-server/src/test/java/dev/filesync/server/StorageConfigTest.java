package dev.filesync.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The storage settings of {@link ServerConfig}. */
class StorageConfigTest {

  static final S3Settings S3 =
      new S3Settings(URI.create("http://127.0.0.1:9000"), "bucket", "us-east-1", "a", "b", true);

  @Test
  void defaults() {
    ServerConfig c = ServerConfig.builder().dataDirectory(Path.of("d")).build();
    assertThat(c.storageMode()).isEqualTo(StorageMode.GATEWAY);
    assertThat(c.s3()).isNull();
    assertThat(c.blobDirectory()).isEqualTo(Path.of("d", "blobs"));
    assertThat(c.signerBasePath()).isEqualTo("/api");
    assertThat(c.filesBasePath()).isEqualTo("/livestore-filesync-files");
    assertThat(c.gatewaySecret()).isNull();
    assertThat(c.urlTtl()).isEqualTo(Duration.ofSeconds(900));
    assertThat(c.maxUrlTtl()).isEqualTo(Duration.ofHours(1));
    assertThat(c.maxObjectBytes()).isEqualTo(5L * 1024 * 1024 * 1024);
    assertThat(c.maxSignerBodyBytes()).isEqualTo(64 * 1024);
    assertThat(c.corsOrigins()).isEmpty();
    assertThat(c.publicBaseUrl()).isNull();
    assertThat(c.enableSync()).isTrue();
    assertThat(c.enableStorage()).isTrue();
    assertThat(c.enableMetrics()).isTrue();
  }

  @Test
  void toBuilderCopiesTheStorageSettings() {
    ServerConfig c =
        ServerConfig.builder()
            .storageMode(StorageMode.SIGNER)
            .s3(S3)
            .blobDirectory(Path.of("b"))
            .signerBasePath("/signer")
            .filesBasePath("/files")
            .gatewaySecret("x".repeat(32))
            .urlTtl(Duration.ofSeconds(60))
            .maxUrlTtl(Duration.ofDays(7))
            .maxObjectBytes(10)
            .maxSignerBodyBytes(2048)
            .corsOrigins(List.of("https://a.example", "http://localhost:5173"))
            .publicBaseUrl(URI.create("https://files.example/prefix"))
            .enableSync(false)
            .enableMetrics(false)
            .build();
    ServerConfig copy = c.toBuilder().build();
    assertThat(copy.toString()).isEqualTo(c.toString());
    assertThat(copy.storageMode()).isEqualTo(StorageMode.SIGNER);
    assertThat(copy.s3()).isEqualTo(S3);
    assertThat(copy.blobDirectory()).isEqualTo(Path.of("b"));
    assertThat(copy.gatewaySecret()).isEqualTo("x".repeat(32));
    assertThat(copy.corsOrigins()).containsExactly("https://a.example", "http://localhost:5173");
    assertThat(copy.enableSync()).isFalse();
    assertThat(c.toString()).doesNotContain("x".repeat(32)).doesNotContain("secretKey=b");
  }

  @Test
  void badValuesAreNamed() {
    ServerConfig.Builder b = ServerConfig.builder();
    assertThatThrownBy(() -> b.signerBasePath("api")).hasMessageContaining("'api'");
    assertThatThrownBy(() -> b.signerBasePath("/api/")).hasMessageContaining("'/api/'");
    assertThatThrownBy(() -> b.filesBasePath("/a//b")).hasMessageContaining("'/a//b'");
    assertThatThrownBy(() -> b.filesBasePath("/a/../b")).hasMessageContaining("/a/../b");
    assertThatThrownBy(() -> b.gatewaySecret("short")).hasMessageContaining("5");
    assertThatThrownBy(() -> b.urlTtl(Duration.ZERO)).hasMessageContaining("PT0S");
    assertThatThrownBy(() -> b.maxUrlTtl(Duration.ofDays(8))).hasMessageContaining("PT192H");
    assertThatThrownBy(() -> b.maxObjectBytes(0)).hasMessageContaining(": 0");
    assertThatThrownBy(() -> b.maxSignerBodyBytes(10)).hasMessageContaining("10");
    assertThatThrownBy(() -> b.corsOrigins(List.of("https://a.example/path")))
        .hasMessageContaining("https://a.example/path");
    assertThatThrownBy(() -> b.corsOrigins(List.of("a.example"))).hasMessageContaining("a.example");
    assertThatThrownBy(() -> b.publicBaseUrl(URI.create("ftp://x")))
        .hasMessageContaining("ftp://x");
    assertThatThrownBy(() -> b.publicBaseUrl(URI.create("https://x/?q=1")))
        .hasMessageContaining("q=1");
  }

  @Test
  void inconsistentCombinationsAreRefusedAtBuild() {
    assertThatThrownBy(() -> ServerConfig.builder().storageMode(StorageMode.SIGNER).build())
        .hasMessageContaining("SIGNER");
    assertThatThrownBy(() -> ServerConfig.builder().enableSync(false).enableStorage(false).build())
        .hasMessageContaining("both off");
    assertThatThrownBy(() -> ServerConfig.builder().signerBasePath("/sync").build())
        .hasMessageContaining("/sync");
    assertThatThrownBy(() -> ServerConfig.builder().filesBasePath("/metrics").build())
        .hasMessageContaining("/metrics");
    assertThatThrownBy(
            () -> ServerConfig.builder().signerBasePath("/x").filesBasePath("/x/files").build())
        .hasMessageContaining("overlap");
    // signer mode needs S3 only when storage runs
    assertThat(
            ServerConfig.builder()
                .storageMode(StorageMode.SIGNER)
                .enableStorage(false)
                .build()
                .enableStorage())
        .isFalse();
  }
}
