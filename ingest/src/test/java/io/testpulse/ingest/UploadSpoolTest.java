package io.testpulse.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class UploadSpoolTest {

  private static byte[] gzip(byte[] bytes) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(bytes);
    }
    return out.toByteArray();
  }

  @Test
  void shouldGiveTheSameDigestWhenTheSamePayloadArrivesGzippedOrNot() throws Exception {
    byte[] payload = "{\"data\":[]}".getBytes(StandardCharsets.UTF_8);

    try (UploadSpool plain = UploadSpool.of(new ByteArrayInputStream(payload), false, 1024);
         UploadSpool zipped = UploadSpool.of(new ByteArrayInputStream(gzip(payload)), true, 1024)) {
      assertThat(zipped.sha256()).isEqualTo(plain.sha256());
      assertThat(zipped.bytes()).isEqualTo(payload.length);
      try (InputStream in = zipped.open()) {
        assertThat(in.readAllBytes()).isEqualTo(payload);
      }
    }
  }

  @Test
  void shouldRejectATruncatedGzipBody() throws Exception {
    byte[] zipped = gzip("{\"data\":[{\"name\":\"a\"}]}".repeat(100).getBytes(StandardCharsets.UTF_8));

    assertThatThrownBy(() -> UploadSpool.of(new ByteArrayInputStream(Arrays.copyOf(zipped, zipped.length / 2)), true, 1 << 20))
        .isInstanceOf(MalformedUploadException.class).hasMessageContaining("gzip");
    assertThatThrownBy(() -> UploadSpool.of(new ByteArrayInputStream("not gzip".getBytes(StandardCharsets.UTF_8)), true, 1 << 20))
        .isInstanceOf(MalformedUploadException.class).hasMessageContaining("gzip");
  }

  @Test
  void shouldRefuseABodyOverTheLimitWhenOnTheWire() {
    assertThatThrownBy(() -> UploadSpool.of(new ByteArrayInputStream(new byte[2048]), false, 1024))
        .isInstanceOf(UploadTooLargeException.class).hasMessageContaining("1024");
  }

  @Test
  void shouldRefuseAGzipBombWhenItDecodesOverTheLimit() throws Exception {
    byte[] bomb = gzip(new byte[8 * 1024 * 1024]);
    assertThat(bomb.length).isLessThan(64 * 1024);

    assertThatThrownBy(() -> UploadSpool.of(new ByteArrayInputStream(bomb), true, 1024 * 1024))
        .isInstanceOf(UploadTooLargeException.class).hasMessageContaining("decoded");
  }
}
