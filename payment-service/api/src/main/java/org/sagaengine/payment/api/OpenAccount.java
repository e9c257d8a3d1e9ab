package org.sagaengine.payment.api;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** {@code currency} is an ISO 4217 code; every amount of the account is in its minor units. */
public record OpenAccount(@TargetAggregateIdentifier String accountId, String owner, String currency) {
}
