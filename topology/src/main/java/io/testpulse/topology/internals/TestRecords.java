package io.testpulse.topology.internals;

import io.testpulse.avro.RecentRun;
import io.testpulse.avro.TestRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;

/** Creating, copying and hashing for the per-test {@link TestRecord}. */
final class TestRecords {

  private TestRecords() {
  }

  static TestRecord empty() {
    TestRecord r = new TestRecord();
    r.setRuns(new ArrayList<>());
    return r;
  }

  /** A record read from the store, with lists that can be changed in place (Avro's decoded arrays cannot shrink). */
  static TestRecord mutable(TestRecord r) {
    ArrayList<RecentRun> runs = new ArrayList<>(r.getRuns().size() + 1);
    for (RecentRun run : r.getRuns()) {
      run.setIds(new ArrayList<>(run.getIds()));
      runs.add(run);
    }
    r.setRuns(runs);
    FlakinessRules.mutable(r.getFlakiness());
    return r;
  }

  /**
   * A 64-bit hash of a string (FNV-1a over its UTF-8 bytes, then the splitmix64 finaliser): ids and run keys are
   * kept as hashes, 8 bytes instead of their text; two ids of one test collide with probability ~2^-64.
   */
  static long hash64(String s) {
    long h = 0xcbf29ce484222325L;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    h ^= h >>> 30;
    h *= 0xbf58476d1ce4e5b9L;
    h ^= h >>> 27;
    h *= 0x94d049bb133111ebL;
    h ^= h >>> 31;
    return h;
  }
}
