package org.sagaengine.order.api;

import java.util.List;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

public record PlaceOrder(@TargetAggregateIdentifier String orderId, String accountId, String currency,
                         List<OrderLine> lines) {
}
