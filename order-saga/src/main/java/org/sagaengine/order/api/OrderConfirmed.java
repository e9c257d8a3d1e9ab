package org.sagaengine.order.api;

public record OrderConfirmed(String orderId) {
}
