package org.sagaengine.order.api;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

public record RejectOrder(@TargetAggregateIdentifier String orderId, String reason) {
}
