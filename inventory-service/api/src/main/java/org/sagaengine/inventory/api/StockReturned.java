package org.sagaengine.inventory.api;

/** {@code quantity} units the order bought are back, held under the return: no longer sold, not yet available. */
public record StockReturned(String productId, String orderId, String returnId, int quantity) {
}
