package dev.filesync.image.vips;

import static org.assertj.core.api.Assertions.assertThat;

import dev.filesync.image.ImageBackend;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The provider's reports; these run whether libvips is installed or not. */
class VipsImageBackendProviderTest {

  @Test
  void aMissingLibraryIsReportedNotThrown() {
    VipsImageBackendProvider.Outcome o = VipsImageBackendProvider.load("libvips-missing.so.0");
    assertThat(o.backend()).isNull();
    assertThat(o.reason()).contains("libvips-missing.so.0").contains("apt-get install libvips42");
  }

  @Test
  void createAndReasonAgree() {
    VipsImageBackendProvider provider = new VipsImageBackendProvider();
    Optional<ImageBackend> backend = provider.create();
    if (backend.isPresent()) {
      assertThat(provider.unavailableReason()).isEmpty();
      assertThat(new VipsImageBackendProvider().create()).containsSame(backend.get());
    } else {
      assertThat(provider.unavailableReason()).isNotBlank();
    }
  }
}
