package org.sagaengine.payment.api;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Pays back part of what an order was charged, for goods the customer returned. Answered by {@link ReturnRefunded} or
 * {@link ReturnRefundRefused}; a repeat for the same return has no second effect. No order is ever refunded more
 * than it was charged.
 */
public record RefundReturn(@TargetAggregateIdentifier String accountId, String orderId, String returnId, long amount) {
}
