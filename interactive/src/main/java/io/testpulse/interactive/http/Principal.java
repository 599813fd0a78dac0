package io.testpulse.interactive.http;

/**
 * Who a request is from: the token's tenant and role, and the suite an ingest token is bound to
 * (null when the token names none: the upload or the default suite decides).
 */
public record Principal(String tenant, Role role, String suite) {

  public Principal(String tenant, Role role) {
    this(tenant, role, null);
  }
}
