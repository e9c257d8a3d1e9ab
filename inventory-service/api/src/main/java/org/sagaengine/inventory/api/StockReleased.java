package org.sagaengine.inventory.api;

/**
 * The order no longer holds stock of the product and cannot reserve it again. {@code quantity} is what went back to
 * the available stock: zero when the order held nothing, as when a release overtakes its reservation.
 */
public record StockReleased(String productId, String orderId, int quantity) {
}
