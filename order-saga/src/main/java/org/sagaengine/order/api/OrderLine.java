package org.sagaengine.order.api;

/** {@code unitPrice} is in minor units of the order's currency. */
public record OrderLine(String productId, int quantity, long unitPrice) {
}
