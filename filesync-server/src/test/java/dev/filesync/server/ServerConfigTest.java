package dev.filesync.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ServerConfigTest {

  @Test
  void defaults() {
    ServerConfig c = ServerConfig.builder().build();
    assertThat(c.host()).isEqualTo("127.0.0.1");
    assertThat(c.port()).isEqualTo(8787);
    assertThat(c.maxBodyBytes()).isEqualTo(1024 * 1024);
    assertThat(c.maxBatch()).isEqualTo(100);
    assertThat(c.maxPage()).isEqualTo(1000);
    assertThat(c.longPollMax()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.ssePingInterval()).isEqualTo(Duration.ofSeconds(15));
    assertThat(c.sqliteFile()).isEqualTo(Path.of("filesync-data", "sync.db"));
    assertThat(c.hasCredentials()).isFalse();
  }

  @Test
  void toBuilderCopiesEverything() {
    ServerConfig c =
        ServerConfig.builder()
            .host("0.0.0.0")
            .port(1)
            .dataDirectory(Path.of("d"))
            .token("t", List.of("a/*"))
            .devMode(true)
            .maxBodyBytes(2048)
            .maxBatch(7)
            .maxPage(8)
            .longPollMax(Duration.ofSeconds(3))
            .ssePingInterval(Duration.ofMillis(10))
            .postgres("jdbc:postgresql://h/db", "u", "p")
            .build();
    assertThat(c.toBuilder().build().toString()).isEqualTo(c.toString());
    assertThat(c.toBuilder().port(2).build().port()).isEqualTo(2);
    assertThat(c.port()).isEqualTo(1);
    assertThat(c.toString()).doesNotContain("jdbc:").doesNotContain("p]");
  }

  @Test
  void settersNameTheBadValue() {
    ServerConfig.Builder b = ServerConfig.builder();
    assertThatThrownBy(() -> b.port(-1)).hasMessageContaining("-1");
    assertThatThrownBy(() -> b.port(65536)).hasMessageContaining("65536");
    assertThatThrownBy(() -> b.maxBatch(0)).hasMessageContaining("0");
    assertThatThrownBy(() -> b.maxBodyBytes(10)).hasMessageContaining("10");
    assertThatThrownBy(() -> b.longPollMax(Duration.ofSeconds(-1))).hasMessageContaining("PT-1S");
    assertThatThrownBy(() -> b.ssePingInterval(Duration.ZERO)).hasMessageContaining("PT0S");
    assertThatThrownBy(() -> b.host(" ")).hasMessageContaining("host");
    assertThatThrownBy(() -> b.token("t", List.of("a*b"))).hasMessageContaining("a*b");
    assertThatThrownBy(() -> b.token("t", List.of())).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.postgres("jdbc:sqlite:x", null, null))
        .hasMessageContaining("jdbc:postgresql:");
  }

  @Test
  void staticTokensAuthenticate() {
    Authenticator a = Authenticator.staticTokens(java.util.Map.of("t", List.of("x/*")));
    assertThat(a.patternsFor("t")).isEqualTo(Optional.of(List.of("x/*")));
    assertThat(a.patternsFor("u")).isEmpty();
    assertThat(a.patternsFor("tt")).isEmpty();
  }

  @Test
  void aCustomAuthenticatorCountsAsCredentials() {
    ServerConfig c = ServerConfig.builder().authenticator(t -> Optional.empty()).build();
    assertThat(c.hasCredentials()).isTrue();
  }
}
