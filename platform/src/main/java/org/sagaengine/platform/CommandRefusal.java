package org.sagaengine.platform;

/**
 * A handler's refusal of a command, as it travels back to the sender as the details of a
 * {@code CommandExecutionException}. Axon Server carries an exception's messages but not its type, so the sender
 * could not tell a refusal (never retried) from a failure (retried) by the exception alone; these details say it.
 *
 * @param kind   what kind of refusal: the target does not exist (or is of another kind), the command conflicts with
 *               the target's state, or the command itself is invalid
 * @param reason the handler's own words, without class names
 */
public record CommandRefusal(Kind kind, String reason) {

    public enum Kind { UNKNOWN_TARGET, CONFLICT, INVALID }
}
