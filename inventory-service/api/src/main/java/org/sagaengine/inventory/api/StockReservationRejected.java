package org.sagaengine.inventory.api;

public record StockReservationRejected(String productId, String orderId, int requestedQuantity,
                                       int availableQuantity, String reason) {
}
