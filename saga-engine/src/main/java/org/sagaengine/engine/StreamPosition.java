package org.sagaengine.engine;

import java.util.OptionalLong;
import java.util.function.Supplier;

import org.axonframework.eventhandling.StreamingEventProcessor;
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

    /**
     * Whether the processor has read up to {@code position} in every segment; where the stream cannot tell, it says
     * yes.
     */
    default boolean hasRead(long position) {
        OptionalLong read = readUpTo();
        return read.isEmpty() || read.getAsLong() >= position;
    }

    /** The positions of Axon's event store and of a streaming processor; {@link ProcessorPosition}. */
    static StreamPosition of(Supplier<StreamableMessageSource<?>> events,
                             Supplier<StreamingEventProcessor> processor, StoredPositions stored) {
        return new ProcessorPosition(events, processor, stored);
    }
}
