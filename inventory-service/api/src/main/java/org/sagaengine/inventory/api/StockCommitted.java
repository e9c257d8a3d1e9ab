package org.sagaengine.inventory.api;

public record StockCommitted(String productId, String orderId, int quantity) {
}
