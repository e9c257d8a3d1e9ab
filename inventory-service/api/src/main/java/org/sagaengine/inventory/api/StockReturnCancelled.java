package org.sagaengine.inventory.api;

/** {@code quantity} went back to the order as sold: zero when the return held nothing. */
public record StockReturnCancelled(String productId, String orderId, String returnId, int quantity) {
}
