package org.sagaengine.engine;

import java.util.Collection;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Supplier;

import org.axonframework.eventhandling.EventTrackerStatus;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.messaging.StreamableMessageSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The positions of Axon's event store and of a streaming processor.
 * <p>
 * How far the processor has read ({@link #readUpTo()}) counts the segments this process holds; where it holds none,
 * or a token has no position, it cannot tell, and says the processor is up to date.
 * <p>
 * Whether it has read up to a position ({@link #hasRead}) counts every segment. Where this process does not hold them
 * all, each segment it does not hold counts as far as its stored token goes: a service that has just started holds
 * none until its processor claims them, seconds later, while the deadlines that fell due meanwhile already run; and a
 * segment may run in another instance of the service. A stored token is what its segment has read for certain: a
 * process stopped after acting on an event and before committing has left the event unread. Where the stored tokens
 * cannot be read, the processor has not read up to the position.
 */
final class ProcessorPosition implements StreamPosition {

    private static final Logger log = LoggerFactory.getLogger(ProcessorPosition.class);

    private final Supplier<StreamableMessageSource<?>> events;
    private final Supplier<StreamingEventProcessor> processor;
    private final StoredPositions stored;

    ProcessorPosition(Supplier<StreamableMessageSource<?>> events, Supplier<StreamingEventProcessor> processor,
                      StoredPositions stored) {
        this.events = events;
        this.processor = processor;
        this.stored = stored;
    }

    @Override
    public OptionalLong storedUpTo() {
        TrackingToken head = events.get().createHeadToken();
        return head == null ? OptionalLong.empty() : head.position();
    }

    @Override
    public OptionalLong readUpTo() {
        return least(processor.get().processingStatus().values());
    }

    @Override
    public boolean hasRead(long position) {
        StreamingEventProcessor reader = processor.get();
        Map<Integer, EventTrackerStatus> held = reader.processingStatus();
        if (coversTheStream(held.values())) {
            OptionalLong read = least(held.values());
            return read.isEmpty() || read.getAsLong() >= position;
        }
        Map<Integer, Long> storedPositions;
        try {
            storedPositions = stored.of(reader.getName());
        } catch (RuntimeException unreadable) {
            log.debug("Cannot read the stored tokens of {}: {}", reader.getName(), unreadable.toString());
            return false;
        }
        if (storedPositions.isEmpty()) {
            return false;
        }
        for (Map.Entry<Integer, Long> segment : storedPositions.entrySet()) {
            EventTrackerStatus status = held.get(segment.getKey());
            long read = status != null && status.getCurrentPosition().isPresent()
                        ? status.getCurrentPosition().getAsLong() : segment.getValue();
            if (read < position) {
                return false;
            }
        }
        return true;
    }

    /** The least position among these segments; empty where none has one. */
    private static OptionalLong least(Collection<EventTrackerStatus> segments) {
        OptionalLong least = OptionalLong.empty();
        for (EventTrackerStatus segment : segments) {
            OptionalLong read = segment.getCurrentPosition();
            if (read.isPresent() && (least.isEmpty() || read.getAsLong() < least.getAsLong())) {
                least = read;
            }
        }
        return least;
    }

    /** Whether these segments together are the whole stream: a segment whose mask is m is 1/(m+1) of it. */
    private static boolean coversTheStream(Collection<EventTrackerStatus> segments) {
        long whole = 1L << 32;
        long covered = 0;
        for (EventTrackerStatus segment : segments) {
            covered += whole / (Integer.toUnsignedLong(segment.getSegment().getMask()) + 1);
        }
        return covered >= whole;
    }
}
