package org.sagaengine.inventory.api;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Takes back units an order bought. They are held under the return, counted as reserved, until
 * {@link RestockReturn} makes them available or {@link CancelStockReturn} gives them back to the order. Answered by
 * {@link StockReturned} or {@link StockReturnRejected}; a repeat for the same return has no second effect.
 */
public record ReturnStock(@TargetAggregateIdentifier String productId, String orderId, String returnId,
                          int quantity) {
}
