package org.sagaengine.inventory.api;

public record StockReserved(String productId, String orderId, int quantity) {
}
