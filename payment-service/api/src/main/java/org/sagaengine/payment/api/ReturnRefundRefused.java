package org.sagaengine.payment.api;

/** The account is closed, or the order was not charged that much, counting what its other returns got back. */
public record ReturnRefundRefused(String accountId, String orderId, String returnId, long amount, String reason) {
}
