package io.testpulse.testkit;

import io.testpulse.avro.TestExecution;
import io.testpulse.ingest.Envelope;
import io.testpulse.ingest.MalformedUploadException;
import io.testpulse.ingest.UploadMapping;
import io.testpulse.ingest.UploadSpool;
import io.testpulse.ingest.UploadTooLargeException;
import io.testpulse.topology.TestpulseConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** Maps an {@link Upload} with the HTTP ingest path's own mapping ({@link UploadMapping}) and hands on its executions. */
final class UploadSender {

  private final UploadMapping.Limits limits;
  private final long maxBodyBytes;

  UploadSender(TestpulseConfig config) {
    this.limits = new UploadMapping.Limits(config.getString(TestpulseConfig.INGEST_DEFAULT_SUITE_CONFIG),
        config.getInt(TestpulseConfig.INGEST_MAX_RESULTS_CONFIG),
        config.getInt(TestpulseConfig.FAILURE_REASON_MAX_BYTES_CONFIG));
    this.maxBodyBytes = config.getLong(TestpulseConfig.INGEST_MAX_BODY_BYTES_CONFIG);
  }

  /**
   * Maps {@code upload} and gives every accepted execution to {@code send}, in order.
   *
   * @throws IllegalArgumentException where the HTTP API answers 400 or 413 (nothing is sent then)
   */
  UploadResult send(Upload upload, String defaultTenant, Instant now, Consumer<TestExecution> send) {
    Map<String, String> fields = new LinkedHashMap<>();
    if (upload.junit()) {
      fields.put("format", "junit");
    }
    if (upload.suite() != null) {
      fields.put("suite", upload.suite());
    }
    upload.runEnv().forEach((k, v) -> fields.put("run_env[" + k + "]", v));
    upload.tags().forEach((k, v) -> fields.put("tags[" + k + "]", v));
    String tenant = upload.tenant() != null ? upload.tenant() : defaultTenant;
    Instant receivedAt = upload.receivedAt() != null ? upload.receivedAt() : now;
    try (UploadSpool spool = UploadSpool.of(new ByteArrayInputStream(upload.payload()), false, maxBodyBytes)) {
      UploadMapping.Prepared prepared = UploadMapping.prepare(tenant, upload.tokenSuite(), Envelope.fromFields(fields),
          spool, receivedAt, limits);
      List<TestExecution> queued = new ArrayList<>();
      List<UploadResult.RejectedResult> errors = new ArrayList<>();
      prepared.read(item -> {
        if (item.ok()) {
          queued.add(item.execution());
        } else {
          errors.add(new UploadResult.RejectedResult(item.index(), item.error()));
        }
      });
      queued.forEach(send);
      return new UploadResult(prepared.id(), queued, errors);
    } catch (MalformedUploadException e) {
      throw new IllegalArgumentException("upload rejected as the HTTP API would (400): " + e.getMessage(), e);
    } catch (UploadTooLargeException e) {
      throw new IllegalArgumentException("upload rejected as the HTTP API would (413): " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
