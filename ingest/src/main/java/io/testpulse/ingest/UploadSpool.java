package io.testpulse.ingest;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.function.LongSupplier;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * An upload's decoded payload in a temporary file, with the SHA-256 of its bytes. Spooling keeps
 * memory bounded (a copy buffer) whatever the size of the upload, lets the payload be read twice
 * (count and check first, then map and produce: an upload over the limits writes nothing), and
 * makes envelope field order irrelevant ({@code run_env} after {@code data} is fine).
 */
public final class UploadSpool implements AutoCloseable {

  /** How long an upload may take before its average rate is checked: a slow start (TLS, a busy client) is fine. */
  public static final long RATE_GRACE_NANOS = 10_000_000_000L;

  private final Path file;
  private final String sha256;
  private final long bytes;

  private UploadSpool(Path file, String sha256, long bytes) {
    this.file = file;
    this.sha256 = sha256;
    this.bytes = bytes;
  }

  /**
   * Copies {@code body} (gunzipped first if {@code gzip}) to a temporary file.
   *
   * @param maxBytes limit on the bytes read from {@code body} and, separately, on the decoded bytes
   *     (so a small gzip bomb is refused too)
   * @throws UploadTooLargeException over either limit
   * @throws MalformedUploadException a truncated or corrupt gzip stream
   */
  public static UploadSpool of(InputStream body, boolean gzip, long maxBytes)
      throws IOException, UploadTooLargeException, MalformedUploadException {
    try {
      return of(body, gzip, maxBytes, 0, System::nanoTime);
    } catch (UploadTooSlowException e) {
      throw new IllegalStateException("no minimum rate was set", e);
    }
  }

  /**
   * As {@link #of(InputStream, boolean, long)}, and once {@link #RATE_GRACE_NANOS} passed, the body
   * must have arrived at {@code minBytesPerSecond} on average (0: no minimum).
   *
   * @throws UploadTooSlowException the body arrives slower
   */
  public static UploadSpool of(InputStream body, boolean gzip, long maxBytes, long minBytesPerSecond, LongSupplier nanoTime)
      throws IOException, UploadTooLargeException, MalformedUploadException, UploadTooSlowException {
    Path file = Files.createTempFile("testpulse-upload-", gzip ? ".gz.payload" : ".payload");
    boolean done = false;
    try {
      CountingInputStream wire = new CountingInputStream(body, maxBytes, "body", minBytesPerSecond, nanoTime);
      MessageDigest sha = UploadMapper.sha256();
      long total = 0;
      try (InputStream in = gzip ? new GZIPInputStream(wire, 8192) : wire;
           OutputStream out = Files.newOutputStream(file)) {
        byte[] buffer = new byte[16 * 1024];
        int n;
        while ((n = in.read(buffer)) > 0) {
          total += n;
          if (total > maxBytes) {
            throw new UploadTooLargeException("the decoded upload exceeds the body limit of " + maxBytes
                + " bytes (testpulse.ingest.max.body.bytes)");
          }
          sha.update(buffer, 0, n);
          out.write(buffer, 0, n);
        }
      } catch (CountingInputStream.LimitExceeded e) {
        throw new UploadTooLargeException("the upload exceeds the body limit of " + maxBytes
            + " bytes (testpulse.ingest.max.body.bytes)");
      } catch (CountingInputStream.TooSlow e) {
        throw new UploadTooSlowException(e.getMessage() + " (testpulse.ingest.min.data.rate)");
      } catch (CountingInputStream.Unreadable e) {
        // the client's framing (a bad chunk, a body shorter than its Content-Length): its fault, a 400
        throw new MalformedUploadException("the request body could not be read: " + e.getCause().getMessage(), e);
      } catch (EOFException | ZipException e) {
        if (!gzip) {
          throw e;
        }
        throw new MalformedUploadException("truncated or corrupt gzip body (Content-Encoding: gzip): " + e.getMessage(),
            e);
      }
      done = true;
      return new UploadSpool(file, HexFormat.of().formatHex(sha.digest()), total);
    } finally {
      if (!done) {
        Files.deleteIfExists(file);
      }
    }
  }

  public InputStream open() throws IOException {
    return Files.newInputStream(file);
  }

  /** SHA-256 of the decoded payload, hex. */
  public String sha256() {
    return sha256;
  }

  public long bytes() {
    return bytes;
  }

  @Override
  public void close() throws IOException {
    Files.deleteIfExists(file);
  }

  /** Counts bytes read and fails past a limit, without reading further. */
  static final class CountingInputStream extends java.io.FilterInputStream {
    static final class LimitExceeded extends IOException {
      private static final long serialVersionUID = 1L;

      LimitExceeded(String what) {
        super(what + " limit exceeded");
      }
    }

    /** The underlying stream failed: the request body is broken (or the client went away). */
    static final class Unreadable extends IOException {
      private static final long serialVersionUID = 1L;

      Unreadable(IOException cause) {
        super(cause);
      }
    }

    /** The body arrives slower than the minimum rate. */
    static final class TooSlow extends IOException {
      private static final long serialVersionUID = 1L;

      TooSlow(String message) {
        super(message);
      }
    }

    private final long limit;
    private final String what;
    private final long minBytesPerSecond;
    private final LongSupplier nanoTime;
    private final long start;
    private long count;

    CountingInputStream(InputStream in, long limit, String what) {
      this(in, limit, what, 0, System::nanoTime);
    }

    CountingInputStream(InputStream in, long limit, String what, long minBytesPerSecond, LongSupplier nanoTime) {
      super(in);
      this.limit = limit;
      this.what = what;
      this.minBytesPerSecond = minBytesPerSecond;
      this.nanoTime = nanoTime;
      this.start = nanoTime.getAsLong();
    }

    @Override
    public int read() throws IOException {
      int b;
      try {
        b = super.read();
      } catch (IOException e) {
        throw new Unreadable(e);
      }
      if (b >= 0) {
        add(1);
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n;
      try {
        n = super.read(b, off, len);
      } catch (IOException e) {
        throw new Unreadable(e);
      }
      if (n > 0) {
        add(n);
      }
      return n;
    }

    private void add(long n) throws IOException {
      count += n;
      if (count > limit) {
        throw new LimitExceeded(what);
      }
      if (minBytesPerSecond > 0) {
        long elapsed = nanoTime.getAsLong() - start;
        if (elapsed > RATE_GRACE_NANOS && count < minBytesPerSecond * (elapsed / 1_000_000_000L)) {
          throw new TooSlow("the body arrived at " + count * 1_000_000_000L / elapsed + " bytes/s, under the minimum of "
              + minBytesPerSecond + " bytes/s");
        }
      }
    }
  }
}
