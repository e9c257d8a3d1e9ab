package org.sagaengine.payment.api;

/** {@code amount} is what went back to the balance: zero when the order had not been charged. */
public record PaymentRefunded(String accountId, String orderId, long amount) {
}
