package org.sagaengine.payment.api;

public record AccountClosed(String accountId) {
}
