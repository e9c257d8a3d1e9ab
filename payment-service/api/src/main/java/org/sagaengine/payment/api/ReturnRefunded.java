package org.sagaengine.payment.api;

public record ReturnRefunded(String accountId, String orderId, String returnId, long amount) {
}
