package org.sagaengine.engine;

import java.util.Map;

/**
 * How far each segment of a processor has read the event stream, as its token store holds it: what the segment has
 * read for certain, committed with what it did, whichever process runs it or whether any does.
 */
interface StoredPositions {

    /** For a service without a token store this engine can read: it cannot tell. */
    StoredPositions UNKNOWN = processorName -> {
        throw new IllegalStateException("no token store to read the positions of " + processorName + " from");
    };

    /**
     * Each of the processor's segments, by id, and the position of its stored token; -1 for a segment that has read
     * nothing yet, or whose token has no position.
     *
     * @throws RuntimeException when the token store cannot be read
     */
    Map<Integer, Long> of(String processorName);
}
