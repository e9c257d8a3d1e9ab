package org.sagaengine.order.api;

/** The customer asked to cancel; the saga decides whether it still can, and rejects the order if so. */
public record OrderCancellationRequested(String orderId) {
}
