package dev.filesync.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.filesync.server.internal.GatewaySignature.Claims;
import dev.filesync.server.internal.GatewaySignature.Verdict;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class GatewaySignatureTest {

  static final String KEY = "my-store/" + KeysTest.HASH;
  static final long EXP = 1_700_000_000L;

  static GatewaySignature at(long epochSecond) {
    return new GatewaySignature(
        "secret", Clock.fixed(Instant.ofEpochSecond(epochSecond), ZoneOffset.UTC));
  }

  @Test
  void knownAnswerOfTheReferenceFormat() {
    GatewaySignature s = at(0);
    assertThat(s.sign("PUT\n" + KEY + "\n" + EXP))
        .isEqualTo("sH_hmpHfJb-S05dxOfQv_GkBwocwHdNHNd7o6MbnT-8");
    assertThat(s.sign(Claims.of("PUT", KEY, EXP)))
        .isEqualTo("sH_hmpHfJb-S05dxOfQv_GkBwocwHdNHNd7o6MbnT-8");
  }

  @Test
  void verifiesUntilAndIncludingExp() {
    String sig = at(0).sign(Claims.of("PUT", KEY, EXP));
    assertThat(at(EXP - 900).verify(Claims.of("PUT", KEY, EXP), sig)).isEqualTo(Verdict.VALID);
    assertThat(at(EXP).verify(Claims.of("PUT", KEY, EXP), sig)).isEqualTo(Verdict.VALID);
    assertThat(at(EXP + 1).verify(Claims.of("PUT", KEY, EXP), sig)).isEqualTo(Verdict.EXPIRED);
  }

  @Test
  void expiryFollowsTheInjectedClockWithinASecond() {
    String sig = at(0).sign(Claims.of("GET", KEY, EXP));
    GatewaySignature justAfter =
        new GatewaySignature(
            "secret", Clock.fixed(Instant.ofEpochSecond(EXP, 999_000_000), ZoneOffset.UTC));
    assertThat(justAfter.verify(Claims.of("GET", KEY, EXP), sig)).isEqualTo(Verdict.VALID);
  }

  @Test
  void everyTamperingIsAMismatch() {
    GatewaySignature s = at(EXP - 10);
    String sig = s.sign(Claims.of("PUT", KEY, EXP));
    assertThat(s.verify(Claims.of("GET", KEY, EXP), sig)).isEqualTo(Verdict.MISMATCH);
    assertThat(s.verify(Claims.of("DELETE", KEY, EXP), sig)).isEqualTo(Verdict.MISMATCH);
    assertThat(s.verify(Claims.of("PUT", KEY + "x", EXP), sig)).isEqualTo(Verdict.MISMATCH);
    assertThat(s.verify(Claims.of("PUT", "other/" + KeysTest.HASH, EXP), sig))
        .isEqualTo(Verdict.MISMATCH);
    assertThat(s.verify(Claims.of("PUT", KEY, EXP + 1), sig)).isEqualTo(Verdict.MISMATCH);
    assertThat(s.verify(Claims.of("PUT", KEY, EXP - 1), sig)).isEqualTo(Verdict.MISMATCH);
    // the signature itself: each flipped character, truncation, padding, extension, garbage
    for (int i = 0; i < sig.length(); i++) {
      char c = sig.charAt(i);
      String flipped = sig.substring(0, i) + (c == 'A' ? 'B' : 'A') + sig.substring(i + 1);
      assertThat(s.verify(Claims.of("PUT", KEY, EXP), flipped))
          .as(flipped)
          .isEqualTo(Verdict.MISMATCH);
    }
    for (String bad :
        List.of(
            sig.substring(1),
            sig + "=",
            sig + "A",
            "",
            "!!!",
            sig.replace('-', '+').replace('_', '/'))) {
      if (!bad.equals(sig)) {
        assertThat(s.verify(Claims.of("PUT", KEY, EXP), bad)).as(bad).isEqualTo(Verdict.MISMATCH);
      }
    }
    // another secret
    GatewaySignature other =
        new GatewaySignature(
            "secret2", Clock.fixed(Instant.ofEpochSecond(EXP - 10), ZoneOffset.UTC));
    assertThat(other.verify(Claims.of("PUT", KEY, EXP), sig)).isEqualTo(Verdict.MISMATCH);
  }

  @Test
  void extensionsAreBound() {
    GatewaySignature s = at(EXP - 10);
    Claims part = new Claims("PUT", KEY, EXP, "up-1", 3, null, -1, null);
    String sig = s.sign(part);
    assertThat(sig).isEqualTo(s.sign("PUT\n" + KEY + "\n" + EXP + "\nup-1\n3"));
    assertThat(s.verify(part, sig)).isEqualTo(Verdict.VALID);
    assertThat(s.verify(new Claims("PUT", KEY, EXP, "up-1", 4, null, -1, null), sig))
        .isEqualTo(Verdict.MISMATCH);
    assertThat(s.verify(new Claims("PUT", KEY, EXP, "up-2", 3, null, -1, null), sig))
        .isEqualTo(Verdict.MISMATCH);
    assertThat(s.verify(Claims.of("PUT", KEY, EXP), sig)).isEqualTo(Verdict.MISMATCH);

    Claims bound = new Claims("PUT", KEY, EXP, null, 0, KeysTest.HASH, 0, "image/png");
    String b = s.sign(bound);
    assertThat(b)
        .isEqualTo(
            s.sign(
                "PUT\n"
                    + KEY
                    + "\n"
                    + EXP
                    + "\nsha256:"
                    + KeysTest.HASH
                    + "\nlength:0\ntype:image/png"));
    assertThat(s.verify(bound, b)).isEqualTo(Verdict.VALID);
    assertThat(s.verify(new Claims("PUT", KEY, EXP, null, 0, null, 0, "image/png"), b))
        .isEqualTo(Verdict.MISMATCH);
    assertThat(s.verify(new Claims("PUT", KEY, EXP, null, 0, KeysTest.HASH, 1, "image/png"), b))
        .isEqualTo(Verdict.MISMATCH);
    assertThat(s.verify(new Claims("PUT", KEY, EXP, null, 0, KeysTest.HASH, -1, "image/png"), b))
        .isEqualTo(Verdict.MISMATCH);
    assertThat(s.verify(new Claims("PUT", KEY, EXP, null, 0, KeysTest.HASH, 0, "text/plain"), b))
        .isEqualTo(Verdict.MISMATCH);
    assertThat(s.verify(new Claims("PUT", KEY, EXP, null, 0, KeysTest.HASH, 0, null), b))
        .isEqualTo(Verdict.MISMATCH);
  }

  @Test
  void verifyComparesInConstantTime() {
    // The comparison is MessageDigest.isEqual over the whole MAC; we check that a near-miss and a
    // far-miss are both plain mismatches (timing itself is not measurable reliably in a unit test).
    GatewaySignature s = at(EXP - 10);
    String sig = s.sign(Claims.of("GET", KEY, EXP));
    String nearMiss = sig.substring(0, sig.length() - 1) + (sig.endsWith("A") ? "B" : "A");
    assertThat(s.verify(Claims.of("GET", KEY, EXP), nearMiss)).isEqualTo(Verdict.MISMATCH);
    assertThat(s.verify(Claims.of("GET", KEY, EXP), "A".repeat(sig.length())))
        .isEqualTo(Verdict.MISMATCH);
  }
}
