package org.sagaengine.order.saga;

/**
 * A command the saga sent failed even after the gateway's retries. {@code refused} is true when the participant
 * handled it and said no, so it had no effect; false when it may never have arrived (the participant was down for
 * longer than the retries last). {@code unknownTarget} is a refusal because the product, account or order it names
 * does not exist (or is another kind of thing). {@code failure} says why in words, without class names.
 */
public record ParticipantCommandFailed(String orderId, String command, String target, boolean refused,
                                       boolean unknownTarget, String failure) {
}
