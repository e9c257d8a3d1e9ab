package org.sagaengine.order.api;

public record OrderRejected(String orderId, String reason) {
}
