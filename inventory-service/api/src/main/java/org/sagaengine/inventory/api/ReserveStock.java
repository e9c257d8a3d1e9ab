package org.sagaengine.inventory.api;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Answered by {@link StockReserved} or {@link StockReservationRejected}; a repeat for the same order has no second effect. */
public record ReserveStock(@TargetAggregateIdentifier String productId, String orderId, int quantity) {
}
