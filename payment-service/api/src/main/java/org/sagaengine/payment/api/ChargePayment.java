package org.sagaengine.payment.api;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Answered by {@link PaymentCharged} or {@link PaymentDeclined}; a repeat for the same order has no second effect. */
public record ChargePayment(@TargetAggregateIdentifier String accountId, String orderId, long amount, String currency) {
}
