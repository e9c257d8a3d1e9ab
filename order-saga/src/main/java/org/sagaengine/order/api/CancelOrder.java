package org.sagaengine.order.api;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

public record CancelOrder(@TargetAggregateIdentifier String orderId) {
}
