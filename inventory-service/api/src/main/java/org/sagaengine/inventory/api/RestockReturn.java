package org.sagaengine.inventory.api;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Makes what a return holds available for sale. Only a return that holds stock can be restocked. */
public record RestockReturn(@TargetAggregateIdentifier String productId, String orderId, String returnId) {
}
