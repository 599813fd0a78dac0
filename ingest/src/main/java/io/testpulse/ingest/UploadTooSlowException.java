package io.testpulse.ingest;

/**
 * The upload's body arrives slower than {@code testpulse.ingest.min.data.rate}: answered 408, so a
 * client trickling its body cannot hold a request thread for as long as it likes.
 */
public class UploadTooSlowException extends Exception {

  private static final long serialVersionUID = 1L;

  public UploadTooSlowException(String message) {
    super(message);
  }
}
