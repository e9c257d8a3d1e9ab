package org.sagaengine.inventory.api;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

public record RegisterProduct(@TargetAggregateIdentifier String productId, String name, int initialQuantity) {
}
