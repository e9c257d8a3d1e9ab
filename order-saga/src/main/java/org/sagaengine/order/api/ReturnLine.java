package org.sagaengine.order.api;

/** So many units of one product of the order, given back. */
public record ReturnLine(String productId, int quantity) {
}
