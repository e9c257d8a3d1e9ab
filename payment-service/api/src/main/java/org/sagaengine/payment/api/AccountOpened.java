package org.sagaengine.payment.api;

public record AccountOpened(String accountId, String owner, String currency) {
}
