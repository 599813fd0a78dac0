package io.testpulse.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class BenchTest {

  @Test
  void shouldReadMergedBucketsWhenALookupHasRecentDurations() throws Exception {
    ObjectMapper json = new ObjectMapper();
    // the shape README.md documents for GET /api/v1/tests/{testId}
    assertThat(Bench.recentBuckets(json.readTree("""
        {"state":"HEALTHY","recent_durations":{"from":1,"to":2,"group":{},"buckets":8,"summary":{"count":56}}}
        """))).isEqualTo(8);
    assertThat(Bench.recentBuckets(json.readTree("{\"state\":\"HEALTHY\",\"recent_durations\":null}"))).isZero();
    assertThat(Bench.recentBuckets(json.readTree("{\"state\":\"HEALTHY\"}"))).isZero();
  }
}
