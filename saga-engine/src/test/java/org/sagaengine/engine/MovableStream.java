package org.sagaengine.engine;

import java.util.OptionalLong;

/** An event stream whose end, and how far a processor has read it, the test moves. */
final class MovableStream implements StreamPosition {

    private volatile long stored;
    private volatile long read;

    @Override
    public OptionalLong storedUpTo() {
        return OptionalLong.of(stored);
    }

    @Override
    public OptionalLong readUpTo() {
        return OptionalLong.of(read);
    }

    MovableStream at(long stored, long read) {
        this.stored = stored;
        this.read = read;
        return this;
    }
}
