package org.sagaengine.inventory.api;

/** The order did not buy that much of the product, counting what its other returns took back already. */
public record StockReturnRejected(String productId, String orderId, String returnId, int quantity, String reason) {
}
