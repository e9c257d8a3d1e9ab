package org.sagaengine.order.saga;

/** Where the saga records each step it enters, in the same transaction as the saga's own state. */
public interface SagaProgress {

    void entered(String orderId, SagaStep step, String detail);

    /** Whether a saga for this order has entered any step: it runs, or it ran and ended. */
    boolean hasRun(String orderId);
}
