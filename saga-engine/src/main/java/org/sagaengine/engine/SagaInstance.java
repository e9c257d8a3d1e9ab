package org.sagaengine.engine;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The state of one running saga. A saga type's own state class extends this and adds its business fields; the fields
 * here are the engine's bookkeeping, stored with them in Axon's saga store, and a definition never touches them.
 */
public abstract class SagaInstance {

    /** Where a saga is in its life. */
    public enum Phase {
        /** going through its steps */
        RUNNING,
        /** undoing what its steps did, in reverse */
        COMPENSATING,
        /** waiting for its success to be acknowledged */
        SUCCEEDING,
        /** waiting for its failure to be acknowledged */
        FAILING,
        /** over */
        ENDED
    }

    String sagaKey;
    Phase phase;
    int stepIndex = -1;
    String failureReason;
    /** per step name, the items a command was sent for, answered done, or refused */
    Map<String, Set<String>> asked = new LinkedHashMap<>();
    Map<String, Set<String>> done = new LinkedHashMap<>();
    Map<String, Set<String>> refused = new LinkedHashMap<>();
    /** per step name, the items whose compensation is not yet acknowledged */
    Map<String, Set<String>> compensationsAwaited = new LinkedHashMap<>();
    String deadlineName;
    String deadlineId;
    String retryName;
    String retryId;
    /**
     * A deadline or retry fell due while the saga's processor had not yet read every stored event: the position in
     * the event stream it waits for before acting, since a reply may be among those events.
     */
    Long deadlineWaitsFor;
    /** How often the deadline or retry that fell due has waited so far: each wait is twice as long as the last. */
    int deadlineWaits;

    /** The key this saga is associated by: the value of its association property. */
    public final String sagaKey() {
        return sagaKey;
    }

    /** Why the saga failed, once it compensates or fails; null while it has not. */
    public final String failureReason() {
        return failureReason;
    }

    /** Where the saga is in its life; null before it has started. */
    public final Phase phase() {
        return phase;
    }

    static Set<String> of(Map<String, Set<String>> byStep, String step) {
        return byStep.computeIfAbsent(step, name -> new LinkedHashSet<>());
    }
}
