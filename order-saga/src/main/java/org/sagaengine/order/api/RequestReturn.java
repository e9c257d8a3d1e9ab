package org.sagaengine.order.api;

import java.util.List;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Returns some or all of what a confirmed order bought. A repeat with the same return id and lines has no second
 * effect; the same id with other lines is refused.
 */
public record RequestReturn(@TargetAggregateIdentifier String orderId, String returnId, List<ReturnLine> lines) {
}
