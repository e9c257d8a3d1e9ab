package org.sagaengine.payment.api;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Pays back what an order was charged and closes the account to that order: a {@code ChargePayment} for it that
 * arrives later is declined, so a refund is safe to send before the charge's reply is in.
 */
public record RefundPayment(@TargetAggregateIdentifier String accountId, String orderId) {
}
