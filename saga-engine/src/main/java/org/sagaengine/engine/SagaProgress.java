package org.sagaengine.engine;

import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;

/**
 * What a saga reports of itself for people to see: the step it is at, a timeline of what it did and what it was told,
 * and when its next deadline or retry is due. Written in the same transaction as the saga's own state.
 */
public interface SagaProgress {

    /** The kinds of entries on a saga's timeline. */
    enum Entry {
        /** the saga entered a step */
        STEP,
        /** a participant answered, or an event reached the saga */
        REPLY,
        /** the saga asked a participant to do something */
        COMMAND,
        /** the saga asked a participant to undo something */
        COMPENSATION,
        /** a deadline or retry fell due */
        DEADLINE
    }

    /**
     * The saga entered a step; {@code state} is what the saga view shows: {@code RUNNING}, {@code COMPENSATING}, or the
     * state the saga ended in.
     */
    void entered(String sagaType, String sagaKey, String step, String state, String detail);

    void noted(String sagaType, String sagaKey, Entry kind, String name, String detail);

    /** The saga's next deadline or retry falls due after {@code in}; {@code null}: nothing is due. */
    void due(String sagaType, String sagaKey, Duration in);

    /** One thing a handler reported: a step entered, a timeline entry, or when the saga is next due. */
    sealed interface Report {
    }

    /** {@link #entered}. */
    record Entered(String step, String state, String detail) implements Report {
    }

    /** {@link #noted}. */
    record Note(Entry kind, String name, String detail) implements Report {
    }

    /** {@link #due}. */
    record Due(Duration in) implements Report {
    }

    /**
     * Everything one handler of one saga reported, in the order it happened, written together before the handler's
     * commands leave. By default each report goes to {@link #entered}, {@link #noted} or {@link #due} in turn; a
     * progress kept in a database can write them in one statement.
     */
    default void reported(String sagaType, String sagaKey, List<Report> reports) {
        for (Report report : reports) {
            if (report instanceof Entered entered) {
                entered(sagaType, sagaKey, entered.step(), entered.state(), entered.detail());
            } else if (report instanceof Note noted) {
                noted(sagaType, sagaKey, noted.kind(), noted.name(), noted.detail());
            } else if (report instanceof Due due) {
                due(sagaType, sagaKey, due.in());
            }
        }
    }

    /** Whether a saga of this type and key has entered any step: it runs, or it ran and ended. */
    boolean hasRun(String sagaType, String sagaKey);

    /** How many sagas of this type have started and not ended; empty where this progress cannot tell. */
    default OptionalLong unfinished(String sagaType) {
        return OptionalLong.empty();
    }

    /** How many sagas of this type this process has seen end since it started; empty where it does not count them. */
    default OptionalLong ended(String sagaType) {
        return OptionalLong.empty();
    }
}
