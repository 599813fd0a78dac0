package io.testpulse.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
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

  @Test
  void shouldCallTheUploadMalformedWhenTheClientBodyBreaksOff() {
    // what Jetty's request stream throws on a bad chunk size or a body shorter than its Content-Length;
    // it used to escape the handler as an IOException, answered 500
    InputStream broken = new InputStream() {
      private int sent;

      @Override
      public int read() throws IOException {
        if (sent++ < 10) {
          return '[';
        }
        throw new IOException("Early EOF");
      }
    };

    assertThatThrownBy(() -> UploadSpool.of(broken, false, 1 << 20))
        .isInstanceOf(MalformedUploadException.class).hasMessageContaining("could not be read").hasMessageContaining("Early EOF");
    assertThatThrownBy(() -> UploadSpool.of(new SequenceOfBrokenGzip().stream(), true, 1 << 20))
        .isInstanceOf(MalformedUploadException.class);
  }

  @Test
  void shouldRefuseABodyTrickledUnderTheMinimumRateOnceTheGraceHasPassed() {
    // one byte per simulated second: fine during the grace, too slow after it
    long[] now = {0};
    InputStream trickle = new InputStream() {
      @Override
      public int read() {
        now[0] += 1_000_000_000L;
        return ' ';
      }

      @Override
      public int read(byte[] b, int off, int len) {
        b[off] = (byte) read();
        return 1;
      }
    };

    assertThatThrownBy(() -> UploadSpool.of(trickle, false, 1 << 20, 1024, () -> now[0]))
        .isInstanceOf(UploadTooSlowException.class).hasMessageContaining("under the minimum of 1024 bytes/s");
    assertThat(now[0]).isGreaterThan(UploadSpool.RATE_GRACE_NANOS).isLessThan(2 * UploadSpool.RATE_GRACE_NANOS);
  }

  @Test
  void shouldAcceptASlowStartWhenTheBodyCatchesUpWithTheMinimumRate() throws Exception {
    long[] now = {0};
    byte[] body = new byte[64 * 1024];
    InputStream late = new InputStream() {
      private int sent;

      @Override
      public int read() {
        return sent < body.length ? body[sent++] : -1;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (sent >= body.length) {
          return -1;
        }
        now[0] += sent == 0 ? 9_000_000_000L : 100_000_000L; // nine seconds for the first chunk, then 40 KiB/s
        int n = Math.min(Math.min(len, 4096), body.length - sent);
        System.arraycopy(body, sent, b, off, n);
        sent += n;
        return n;
      }
    };

    try (UploadSpool spool = UploadSpool.of(late, false, 1 << 20, 1024, () -> now[0])) {
      assertThat(spool.bytes()).isEqualTo(body.length);
    }
    assertThat(now[0]).as("the rate was checked after the grace").isGreaterThan(UploadSpool.RATE_GRACE_NANOS);
  }

  /** A gzip stream whose transport fails half-way. */
  private static final class SequenceOfBrokenGzip {
    InputStream stream() throws Exception {
      byte[] zipped = gzip("{\"data\":[]}".repeat(1000).getBytes(StandardCharsets.UTF_8));
      ByteArrayInputStream half = new ByteArrayInputStream(Arrays.copyOf(zipped, zipped.length / 2));
      return new InputStream() {
        @Override
        public int read() throws IOException {
          int b = half.read();
          if (b < 0) {
            throw new IOException("connection reset");
          }
          return b;
        }
      };
    }
  }
}
