package org.sagaengine.engine;

import java.util.Collection;
import java.util.OptionalLong;
import java.util.function.Supplier;

import org.axonframework.eventhandling.EventTrackerStatus;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.messaging.StreamableMessageSource;

/**
 * How far the event stream goes, and how far a saga type's processor has read it. A deadline that falls due acts only
 * once the processor has read every event stored before then (see {@link SagaMachine}).
 */
interface StreamPosition {

    /** For a saga run without a processor, as in a specification: always up to date. */
    StreamPosition UP_TO_DATE = new StreamPosition() {
        @Override
        public OptionalLong storedUpTo() {
            return OptionalLong.empty();
        }

        @Override
        public OptionalLong readUpTo() {
            return OptionalLong.empty();
        }
    };

    /** The position of the last event stored so far; empty where the event store cannot tell. */
    OptionalLong storedUpTo();

    /** How far the processor has read, in every segment this process holds; empty where it cannot tell. */
    OptionalLong readUpTo();

    /** Whether the processor has read up to {@code position}; where it cannot tell, it says yes. */
    default boolean hasRead(long position) {
        OptionalLong read = readUpTo();
        return read.isEmpty() || read.getAsLong() >= position;
    }

    /**
     * The positions of Axon's event store and of a streaming processor in this process. Where this process holds none
     * of the processor's segments, or a token has no position, it cannot tell, and says the processor is up to date:
     * deadlines then act at once, as they would without this check.
     */
    static StreamPosition of(Supplier<StreamableMessageSource<?>> events,
                             Supplier<StreamingEventProcessor> processor) {
        return new StreamPosition() {
            @Override
            public OptionalLong storedUpTo() {
                TrackingToken head = events.get().createHeadToken();
                return head == null ? OptionalLong.empty() : head.position();
            }

            @Override
            public OptionalLong readUpTo() {
                Collection<EventTrackerStatus> segments = processor.get().processingStatus().values();
                OptionalLong least = OptionalLong.empty();
                for (EventTrackerStatus segment : segments) {
                    OptionalLong read = segment.getCurrentPosition();
                    if (read.isPresent() && (least.isEmpty() || read.getAsLong() < least.getAsLong())) {
                        least = read;
                    }
                }
                return least;
            }
        };
    }
}
