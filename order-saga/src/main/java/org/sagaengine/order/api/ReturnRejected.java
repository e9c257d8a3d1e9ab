package org.sagaengine.order.api;

/** The return did not happen; what it asked to return can be returned again. */
public record ReturnRejected(String orderId, String returnId, String reason) {
}
