package org.sagaengine.payment.api;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

public record DepositMoney(@TargetAggregateIdentifier String accountId, long amount) {
}
