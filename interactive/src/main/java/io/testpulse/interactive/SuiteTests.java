package io.testpulse.interactive;

import java.util.List;

/**
 * Every test of a suite with its durations over a time range.
 *
 * @param partial whether some tests or their durations could not be read (an instance did not answer):
 *     those tests are missing or have no durations
 */
public record SuiteTests(List<SuiteTest> tests, boolean partial) {

  public SuiteTests {
    tests = List.copyOf(tests);
  }
}
