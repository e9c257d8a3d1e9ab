package org.sagaengine.order.api;

public record ReturnCompleted(String orderId, String returnId) {
}
