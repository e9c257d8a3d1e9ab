package org.sagaengine.inventory.api;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Gives what a return holds back to the order, sold again, and closes the product to that return: a
 * {@link ReturnStock} for it that arrives later has no effect. That is what makes it safe to send before the
 * return's reply is in.
 */
public record CancelStockReturn(@TargetAggregateIdentifier String productId, String orderId, String returnId) {
}
