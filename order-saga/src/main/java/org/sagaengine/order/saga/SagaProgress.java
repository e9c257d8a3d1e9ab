package org.sagaengine.order.saga;

import java.time.Duration;

/**
 * What the saga reports of itself for people to see: the step it is at, a timeline of what it did and what it was
 * told, and when its next deadline or retry is due. Written in the same transaction as the saga's own state.
 */
public interface SagaProgress {

    /** The kinds of entries on a saga's timeline. */
    enum Entry {
        /** the saga entered a step */
        STEP,
        /** a participant or the order answered */
        REPLY,
        /** the saga asked a participant to do something */
        COMMAND,
        /** the saga asked a participant to undo something */
        COMPENSATION,
        /** a deadline or retry fell due */
        DEADLINE
    }

    void entered(String orderId, SagaStep step, String detail);

    void noted(String orderId, Entry kind, String name, String detail);

    /** The saga's next deadline or retry falls due after {@code in}; {@code null}: nothing is due. */
    void due(String orderId, Duration in);

    /** Whether a saga for this order has entered any step: it runs, or it ran and ended. */
    boolean hasRun(String orderId);
}
