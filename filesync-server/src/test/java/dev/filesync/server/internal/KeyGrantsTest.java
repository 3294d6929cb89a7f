package dev.filesync.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class KeyGrantsTest {

  static final String H = KeysTest.HASH;

  @Test
  void starGrantsEverything() {
    KeyGrants g = KeyGrants.of(List.of("*"));
    assertThat(g.allows("anything/" + H)).isTrue();
    assertThat(g.allows("x")).isTrue();
  }

  @Test
  void exactGrantMatchesTheWholeFirstSegmentOnly() {
    KeyGrants g = KeyGrants.of(List.of("user1"));
    assertThat(g.allows("user1/" + H)).isTrue();
    assertThat(g.allows("user1/sub/" + H)).isTrue();
    assertThat(g.allows("user10/" + H)).isFalse();
    assertThat(g.allows("user1x/" + H)).isFalse();
    assertThat(g.allows("user/" + H)).isFalse();
    assertThat(g.allows("other/user1/" + H)).isFalse();
  }

  @Test
  void exactGrantIsSanitizedLikeTheJsClient() {
    KeyGrants g = KeyGrants.of(List.of("user:42/main"));
    assertThat(g.allows("user_42_main/" + H)).isTrue();
    assertThat(g.allows("user_42_main0/" + H)).isFalse();
    assertThat(g.allows("user:42/main/" + H)).isFalse();
    assertThat(KeyGrants.sanitize("user:42/main")).isEqualTo("user_42_main");
    assertThat(KeyGrants.sanitize("a.b_c-D9")).isEqualTo("a.b_c-D9");
    assertThat(KeyGrants.sanitize("é\uD83D\uDE00")).isEqualTo("___");
  }

  @Test
  void prefixGrantMatchesFirstSegmentsThatStartWithIt() {
    KeyGrants g = KeyGrants.of(List.of("user-42/*"));
    assertThat(g.allows("user-42_main/" + H)).isTrue();
    assertThat(g.allows("user-42_/" + H)).isFalse(); // the bare prefix is not a store
    assertThat(g.allows("user-420_x/" + H)).isFalse();
    assertThat(g.allows("user-42/" + H)).isFalse();
    // the documented consequence of lossy sanitizing: user-42:x sanitizes alike
    assertThat(g.allows("user-42_x/" + H)).isTrue();

    KeyGrants p = KeyGrants.of(List.of("user1*"));
    assertThat(p.allows("user10/" + H)).isTrue(); // asked for explicitly with the star
    assertThat(p.allows("user1/" + H)).isFalse();
  }

  @Test
  void emptyPatternsGrantNothing() {
    assertThat(KeyGrants.of(List.of()).allows("a/" + H)).isFalse();
  }

  @Test
  void traversalCannotEscapeAGrant() {
    KeyGrants g = KeyGrants.of(List.of("user1"));
    // Such keys are refused by Keys first; grants must not allow them either way.
    for (String key : new String[] {"../user1/" + H, "user10/../user1", "user1/../user10/" + H}) {
      assertThat(Keys.whyUnsafe(key)).as(key).isNotNull();
    }
    assertThat(g.allows(Keys.decodePath("%2e%2e/user1"))).isFalse();
    assertThat(Keys.whyUnsafe(Keys.decodePath("user1/%2e%2e/user10"))).isNotNull();
    assertThat(Keys.whyUnsafe("user1/./b")).isNotNull();
  }

  @Test
  void severalPatternsCombine() {
    KeyGrants g = KeyGrants.of(List.of("a", "team-*"));
    assertThat(g.allows("a/" + H)).isTrue();
    assertThat(g.allows("team-x/" + H)).isTrue();
    assertThat(g.allows("b/" + H)).isFalse();
  }
}
