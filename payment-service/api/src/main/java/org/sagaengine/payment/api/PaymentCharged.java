package org.sagaengine.payment.api;

public record PaymentCharged(String accountId, String orderId, long amount) {
}
