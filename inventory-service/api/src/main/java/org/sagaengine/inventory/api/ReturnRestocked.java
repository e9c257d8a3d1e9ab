package org.sagaengine.inventory.api;

public record ReturnRestocked(String productId, String orderId, String returnId, int quantity) {
}
