package org.sagaengine.order.saga;

/** Where the saga records each step it enters, in the same transaction as the saga's own state. */
public interface SagaProgress {

    void entered(String orderId, SagaStep step, String detail);
}
