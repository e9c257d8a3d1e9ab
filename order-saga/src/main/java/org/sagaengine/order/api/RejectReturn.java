package org.sagaengine.order.api;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

public record RejectReturn(@TargetAggregateIdentifier String orderId, String returnId, String reason) {
}
