package org.sagaengine.engine;

/**
 * An operator asks a saga to end: before its pivot it compensates as a cancellation would; while compensating or
 * failing it sends what is unacknowledged again at once, with the operator's reason; past its pivot it only goes
 * forward, so the request changes nothing.
 */
public record SagaEndRequested(String sagaType, String sagaKey, String requestedBy) {
}
