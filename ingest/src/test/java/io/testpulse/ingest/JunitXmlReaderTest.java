package io.testpulse.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JunitXmlReaderTest {

  private static String summary(UploadRecord r) {
    return r.name() + ":" + r.result() + ":" + r.attemptInUpload();
  }

  @Test
  void shouldTurnSurefireRerunsIntoAttemptsWhenTheReportHasFlakyAndRerunFailures() throws Exception {
    List<UploadRecord> records = Fixtures.xml("surefire-reruns.xml");

    assertThat(records).extracting(JunitXmlReaderTest::summary).containsExactly(
        "addsItem:passed:0",
        "computesTotal:failed:0", "computesTotal:passed:1",
        "checksOut:failed:0", "checksOut:failed:1", "checksOut:failed:2",
        "loadsPrices:failed:0",
        "appliesCoupon:skipped:0");
    assertThat(records).extracting(UploadRecord::index).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
    assertThat(records.get(0).scope()).isEqualTo("com.acme.shop.CartTest");
    assertThat(records.get(0).durationSeconds()).isEqualTo(0.012);
    assertThat(records.get(1).failureReason()).isEqualTo("expected: <42> but was: <41>");
    assertThat(records.get(6).failureReason()).isEqualTo("Connection refused");
    assertThat(records.get(7).failureReason()).isEqualTo("coupons are disabled");
  }

  @Test
  void shouldReadPytestJunitXmlWhenWrittenByPytest() throws Exception {
    List<UploadRecord> failed = Fixtures.xml("pytest-result-failed.xml");
    List<UploadRecord> passed = Fixtures.xml("pytest-result-passed.xml");

    assertThat(failed).singleElement().satisfies(r -> {
      assertThat(r.scope()).isEqualTo("tests.failed_test");
      assertThat(r.name()).isEqualTo("test_failed");
      assertThat(r.result()).isEqualTo("failed");
      assertThat(r.durationSeconds()).isEqualTo(0.012);
      assertThat(r.failureReason()).isEqualTo("assert 3 == 5");
    });
    assertThat(passed).singleElement().extracting(UploadRecord::result).isEqualTo("passed");
  }

  @Test
  void shouldUseTheInnermostSuiteAsScopeWhenATestcaseHasNoClassname() throws Exception {
    List<UploadRecord> records = Fixtures.xml("jest-junit.xml");

    assertThat(records).extracting(UploadRecord::scope)
        .containsExactly("Checkout pays with a card", "Checkout refuses an expired card", "Search nested");
    assertThat(records.get(1).failureReason()).startsWith("Error: expect(received).toThrow()");
    assertThat(records.get(0).fileName()).isEqualTo("src/checkout.test.js");
  }

  @Test
  void shouldRefuseADoctypeWhenTheXmlDeclaresAnExternalEntity() {
    String xxe = """
        <?xml version="1.0"?>
        <!DOCTYPE testsuite [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
        <testsuite name="x"><testcase classname="a" name="&xxe;" time="1"/></testsuite>
        """;

    assertThatThrownBy(() -> JunitXmlReader.read(Fixtures.text(xxe), r -> { }))
        .isInstanceOf(MalformedUploadException.class).hasMessageContaining("DOCTYPE");
  }

  @Test
  void shouldRefuseAnUndeclaredEntityWhenThereIsNoDoctype() {
    String xml = "<testsuite name=\"x\"><testcase classname=\"a\" name=\"&boom;\" time=\"1\"/></testsuite>";
    List<UploadRecord> seen = new ArrayList<>();

    assertThatThrownBy(() -> JunitXmlReader.read(Fixtures.text(xml), seen::add))
        .isInstanceOf(MalformedUploadException.class);
    assertThat(seen).isEmpty();
  }

  @Test
  void shouldRejectADocumentWhenItIsNotJunit() {
    assertThatThrownBy(() -> JunitXmlReader.read(Fixtures.text("<html><body/></html>"), r -> { }))
        .isInstanceOf(MalformedUploadException.class).hasMessageContaining("<html>");
    assertThatThrownBy(() -> JunitXmlReader.read(Fixtures.text("<testsuite><testcase name='a'"), r -> { }))
        .isInstanceOf(MalformedUploadException.class).hasMessageContaining("invalid XML");
  }

  /** As the JSON reader: a generated 25 MB report, each testcase handed over before the parser reads far past it. */
  @Test
  void shouldHandTestcasesOverOneByOneWhenTheReportIs25Megabytes() throws Exception {
    String text = "y".repeat(5_000);
    long[] served = {0};
    long[] ends = new long[5000];
    java.io.InputStream report = new java.io.SequenceInputStream(java.util.Collections.enumeration(
        java.util.stream.IntStream.rangeClosed(-1, 5000).mapToObj(i -> {
          String chunk = i < 0 ? "<testsuites><testsuite name='big'>" : i == 5000 ? "</testsuite></testsuites>"
              : "<testcase classname='Big' name='t" + i + "' time='0.5'><failure>" + text + "</failure></testcase>";
          byte[] bytes = chunk.getBytes(java.nio.charset.StandardCharsets.UTF_8);
          return (java.io.InputStream) new java.io.ByteArrayInputStream(bytes) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
              int n = super.read(b, off, len);
              if (n > 0) {
                served[0] += n;
              }
              return n;
            }
          };
        }).toList()));
    // lazily built above: only the byte arrays exist up front, ends are computed from their sizes
    long total = "<testsuites><testsuite name='big'>".length();
    for (int i = 0; i < 5000; i++) {
      total += ("<testcase classname='Big' name='t" + i + "' time='0.5'><failure>" + text + "</failure></testcase>").length();
      ends[i] = total;
    }
    long[] maxLead = {0};
    int count = JunitXmlReader.read(report, r -> maxLead[0] = Math.max(maxLead[0], served[0] - ends[r.index()]));

    assertThat(count).isEqualTo(5000);
    assertThat(served[0]).isGreaterThan(25_000_000L);
    assertThat(maxLead[0]).isLessThan(64 * 1024);
  }

  @Test
  void shouldLeaveDurationEmptyWhenATestcaseHasNoTime() throws Exception {
    List<UploadRecord> seen = new ArrayList<>();
    JunitXmlReader.read(Fixtures.text("<testsuite><testcase classname='a' name='b'/></testsuite>"), seen::add);

    assertThat(seen).singleElement().extracting(UploadRecord::durationSeconds).isNull();
  }
}
