package org.sagaengine.order.api;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

public record ConfirmOrder(@TargetAggregateIdentifier String orderId) {
}
