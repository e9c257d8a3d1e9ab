package org.sagaengine.payment.api;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Closes an account to new money: charges are declined, deposits and return refunds refused. Its balance stays as
 * it is, and the refund of a charge still in progress is paid into it.
 */
public record CloseAccount(@TargetAggregateIdentifier String accountId) {
}
