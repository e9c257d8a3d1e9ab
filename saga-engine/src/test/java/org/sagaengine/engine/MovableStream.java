package org.sagaengine.engine;

import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;

/** An event stream whose end, and how far a processor has read it, the test moves. */
final class MovableStream implements StreamPosition {

    private volatile long stored;
    private volatile long read;
    private final AtomicInteger unavailable = new AtomicInteger();
    private final AtomicInteger failedReadings = new AtomicInteger();

    @Override
    public OptionalLong storedUpTo() {
        if (unavailable.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
            failedReadings.incrementAndGet();
            throw new IllegalStateException("the event store is out of reach");
        }
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

    /** The next {@code readings} of the stream's end fail, as they do while the event store is out of reach. */
    MovableStream unavailableFor(int readings) {
        unavailable.set(readings);
        return this;
    }

    int failedReadings() {
        return failedReadings.get();
    }
}
