package io.testpulse.ingest;

/** The upload exceeds a configured limit (body bytes or results): answered 413, naming the limit. */
public class UploadTooLargeException extends Exception {

  private static final long serialVersionUID = 1L;

  public UploadTooLargeException(String message) {
    super(message);
  }
}
