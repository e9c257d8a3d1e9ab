package org.sagaengine.payment.api;

public record MoneyDeposited(String accountId, long amount) {
}
