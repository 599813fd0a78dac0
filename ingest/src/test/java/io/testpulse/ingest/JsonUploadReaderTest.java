package io.testpulse.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonUploadReaderTest {

  @Test
  void shouldReadEveryResultWhenGivenTheRealCollectorPayloads() throws Exception {
    List<UploadRecord> rspec = Fixtures.json("test-engine-result.json");
    List<UploadRecord> custom = Fixtures.json("custom-test-result.json");
    List<UploadRecord> pytest = Fixtures.json("pytest-result-failed.json");

    assertThat(rspec).extracting(UploadRecord::id)
        .containsExactly("db2c4ffa-efee-4b6a-b293-a4c4168aa353", "95f7e024-9e0a-450f-bc64-9edb62d43fa9");
    assertThat(rspec.get(1).failureReason()).isEqualTo("Failure/Error: expect(true).to eq false");
    assertThat(rspec.get(0).durationSeconds()).isEqualTo(0.726232000044547);
    assertThat(custom).extracting(UploadRecord::id).containsOnlyNulls();
    assertThat(custom).extracting(UploadRecord::name).containsExactly("happy", "failed");
    assertThat(pytest).singleElement().satisfies(r -> {
      assertThat(r.location()).isEqualTo("tests/failed_test.py:0");
      assertThat(r.durationSeconds()).isEqualTo(0.012458);
    });
  }

  @Test
  void shouldReadTheEnvelopeAndExternalIdsWhenTheRubyCollectorSends() throws Exception {
    List<UploadRecord> records = new ArrayList<>();
    Envelope envelope;
    try (InputStream in = Fixtures.open("rspec-upload.json")) {
      envelope = JsonUploadReader.read(in, records::add);
    }

    assertThat(envelope.format()).isEqualTo("json");
    assertThat(envelope.runEnv()).containsEntry("CI", "buildkite").containsEntry("number", "314");
    assertThat(envelope.tags()).containsEntry("instance_type", "c5.large");
    assertThat(envelope.results()).isEqualTo(3);
    assertThat(records.get(0).id()).isEqualTo("7d8c4c2e-5b2a-4f55-9e0b-rspec000001");
    assertThat(records.get(0).tags()).containsEntry("instance_type", "c5.xlarge");
    assertThat(records.get(0).durationSeconds()).isEqualTo(0.081681);
    assertThat(records.get(1).result()).isEqualTo("pending");
  }

  @Test
  void shouldReadTheEnvelopeWhenRunEnvComesAfterData() throws Exception {
    String body = "{\"data\":[{\"name\":\"a\",\"history\":{\"duration\":1}}],\"run_env\":{\"key\":\"k\"},\"extra\":[1,{\"x\":2}]}";

    Envelope envelope = JsonUploadReader.scan(Fixtures.text(body));

    assertThat(envelope.runEnv()).containsEntry("key", "k");
    assertThat(envelope.results()).isEqualTo(1);
  }

  @Test
  void shouldNameTheRecordWhenAResultIsNotAnObject() throws Exception {
    List<UploadRecord> records = new ArrayList<>();
    JsonUploadReader.read(Fixtures.text("[{\"name\":\"a\"}, 42, [1]]"), records::add);

    assertThat(records).extracting(UploadRecord::problem).containsExactly(null, "result is not a JSON object",
        "result is not a JSON object");
    assertThat(records).extracting(UploadRecord::index).containsExactly(0, 1, 2);
  }

  @Test
  void shouldRejectTheUploadWhenTheJsonIsInvalid() {
    assertThatThrownBy(() -> JsonUploadReader.scan(Fixtures.text("{\"data\":[{\"name\":\"a\",}]}")))
        .isInstanceOf(MalformedUploadException.class).hasMessageContaining("invalid JSON").hasMessageContaining("line 1");
    assertThatThrownBy(() -> JsonUploadReader.scan(Fixtures.text("{\"data\":[{\"name\":\"a\"}")))
        .isInstanceOf(MalformedUploadException.class);
    assertThatThrownBy(() -> JsonUploadReader.scan(Fixtures.text("{\"format\":\"json\"}")))
        .isInstanceOf(MalformedUploadException.class).hasMessageContaining("no 'data'");
    assertThatThrownBy(() -> JsonUploadReader.scan(Fixtures.text("\"hello\"")))
        .isInstanceOf(MalformedUploadException.class);
    assertThatThrownBy(() -> JsonUploadReader.scan(Fixtures.text("[] []")))
        .isInstanceOf(MalformedUploadException.class).hasMessageContaining("after the upload");
  }

  /**
   * A 25 MB upload generated on the fly, never materialised: each result must reach the caller
   * while the parser has read at most a small, fixed amount beyond it. That is what bounds memory by
   * one result plus the parser's buffer instead of by the body.
   */
  @Test
  void shouldHandResultsOverOneByOneWhenTheUploadIs25Megabytes() throws Exception {
    GeneratedUpload upload = new GeneratedUpload(5000, 5000);
    List<Long> lead = new ArrayList<>();
    int[] count = {0};

    JsonUploadReader.read(upload, r -> {
      count[0]++;
      lead.add(upload.served() - upload.endOfRecord(r.index()));
      assertThat(r.failureReason()).hasSize(5000);
    });

    assertThat(upload.served()).isGreaterThan(25_000_000L);
    assertThat(count[0]).isEqualTo(5000);
    // read-ahead never exceeds the parser's buffer plus one record, whatever the total size
    assertThat(lead.stream().mapToLong(Long::longValue).max().orElseThrow()).isLessThan(64 * 1024);
  }

  /** An upload {"data":[...]} of n results, each with a failure_reason of reasonChars, produced lazily. */
  static final class GeneratedUpload extends InputStream {
    private final int n;
    private final String reason;
    private final long[] recordEnds;
    private byte[] chunk = "{\"format\":\"json\",\"run_env\":{\"key\":\"big\"},\"data\":[".getBytes(StandardCharsets.UTF_8);
    private int pos;
    private int next;
    private long served;
    private long produced;

    GeneratedUpload(int n, int reasonChars) {
      this.n = n;
      this.reason = "x".repeat(reasonChars);
      this.recordEnds = new long[n];
      this.produced = chunk.length;
    }

    long served() {
      return served;
    }

    long endOfRecord(int index) {
      return recordEnds[index];
    }

    private boolean refill() {
      if (next > n) {
        return false;
      }
      String s;
      if (next == n) {
        s = "]}";
      } else {
        s = (next == 0 ? "" : ",") + "{\"id\":\"r" + next + "\",\"scope\":\"S\",\"name\":\"t" + next
            + "\",\"result\":\"failed\",\"failure_reason\":\"" + reason + "\",\"history\":{\"duration\":0.5}}";
      }
      chunk = s.getBytes(StandardCharsets.UTF_8);
      pos = 0;
      produced += chunk.length;
      if (next < n) {
        recordEnds[next] = produced;
      }
      next++;
      return true;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      while (pos >= chunk.length) {
        if (!refill()) {
          return -1;
        }
      }
      int k = Math.min(len, chunk.length - pos);
      System.arraycopy(chunk, pos, b, off, k);
      pos += k;
      served += k;
      return k;
    }
  }
}
