package io.testpulse.interactive;

import io.testpulse.topology.DurationSummary;

/**
 * One test of a suite with its measured durations over a time range, as test plans need it.
 *
 * @param fileName the file the collector reported (as sent), or null
 * @param durations the test's durations in the range (p50 and friends in milliseconds); null when it has none there
 */
public record SuiteTest(String testId, String scope, String name, String fileName, DurationSummary durations) {
}
