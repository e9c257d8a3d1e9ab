package org.sagaengine.order.api;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

public record CompleteReturn(@TargetAggregateIdentifier String orderId, String returnId) {
}
