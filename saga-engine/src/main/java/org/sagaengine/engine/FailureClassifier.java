package org.sagaengine.engine;

/**
 * Tells a participant's refusal from a transient failure, for commands that failed after the gateway's retries. A
 * refusal is final (no retry changes it); anything else may go away on a second try.
 */
public interface FailureClassifier {

    boolean isRefusal(Throwable failure);

    /** The participant knows no such target, or it is of another kind. */
    boolean isUnknownTarget(Throwable failure);

    /** The failure in words a person can act on, with no class names. */
    String reason(Throwable failure);
}
