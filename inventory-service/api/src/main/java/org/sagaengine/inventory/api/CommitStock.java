package org.sagaengine.inventory.api;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Turns an order's reservation into a sale. Only a reserved order can be committed. */
public record CommitStock(@TargetAggregateIdentifier String productId, String orderId) {
}
