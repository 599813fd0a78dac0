package io.testpulse.ingest;

/** The upload as a whole cannot be read (bad JSON or XML, truncated gzip, a DOCTYPE, ...): answered 400. */
public class MalformedUploadException extends Exception {

  private static final long serialVersionUID = 1L;

  public MalformedUploadException(String message) {
    super(message);
  }

  public MalformedUploadException(String message, Throwable cause) {
    super(message, cause);
  }
}
