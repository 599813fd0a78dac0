package io.testpulse.interactive.http;

/** Who a request is from: the token's tenant and role. */
public record Principal(String tenant, Role role) {
}
