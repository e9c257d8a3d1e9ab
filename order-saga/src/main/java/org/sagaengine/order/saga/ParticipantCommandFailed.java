package org.sagaengine.order.saga;

/**
 * A command the saga sent failed even after the gateway's retries. {@code refused} is true when the participant
 * handled it and said no (an unknown product or account), so it had no effect; false when it may never have arrived
 * (the participant was down for longer than the retries last).
 */
public record ParticipantCommandFailed(String orderId, String command, String target, boolean refused,
                                       String failure) {
}
