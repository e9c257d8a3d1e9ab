package org.sagaengine.inventory.api;

public record ProductRestocked(String productId, int quantity) {
}
