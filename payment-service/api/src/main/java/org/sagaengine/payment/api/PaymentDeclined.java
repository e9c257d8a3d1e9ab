package org.sagaengine.payment.api;

public record PaymentDeclined(String accountId, String orderId, long amount, String reason) {
}
