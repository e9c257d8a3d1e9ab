package org.sagaengine.inventory.api;

public record ProductRegistered(String productId, String name, int initialQuantity) {
}
