package org.sagaengine.order.saga;

/** Where an order's saga is; shown with the order so that a person can tell what it is waiting for. */
public enum SagaStep {
    RESERVING_STOCK,
    CHARGING_PAYMENT,
    COMMITTING_STOCK,
    CONFIRMING_ORDER,
    COMPENSATING,
    REJECTING_ORDER,
    CONFIRMED,
    REJECTED;

    /** The state the saga view shows for this step. */
    public String state() {
        return switch (this) {
            case CONFIRMED -> "CONFIRMED";
            case REJECTED -> "REJECTED";
            case COMPENSATING, REJECTING_ORDER -> "COMPENSATING";
            default -> "RUNNING";
        };
    }

    /** Before the payment is charged the order can still be undone; after it, the saga only goes forward. */
    boolean canCompensate() {
        return this == RESERVING_STOCK || this == CHARGING_PAYMENT;
    }
}
