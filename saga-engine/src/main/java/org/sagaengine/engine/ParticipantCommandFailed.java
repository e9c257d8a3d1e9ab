package org.sagaengine.engine;

/**
 * A command a saga sent failed after the gateway's retries; published by the engine so that the saga hears of it like
 * any reply. {@code refused} says the participant decided (no retry will change it); {@code unknownTarget} that the
 * participant knows no such target.
 */
public record ParticipantCommandFailed(String sagaType, String sagaKey, String step, String item, boolean compensation,
                                String command, boolean refused, boolean unknownTarget, String failure) {
}
