package org.sagaengine.order.saga;

/**
 * An operator asked to end an order's saga: compensate what it did, then reject the order with reason
 * {@value OrderSaga#REASON_ENDED_BY_OPERATOR}. Stored in the event stream like any event, so the audit trail shows who
 * asked and when.
 */
public record SagaEndRequested(String orderId, String requestedBy) {
}
