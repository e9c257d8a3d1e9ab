package org.sagaengine.inventory.api;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Gives back what an order holds of a product and closes the product to that order: a {@code ReserveStock} for it
 * that arrives later is rejected. That is what makes a release safe to send before a reservation's reply is in.
 */
public record ReleaseStock(@TargetAggregateIdentifier String productId, String orderId) {
}
