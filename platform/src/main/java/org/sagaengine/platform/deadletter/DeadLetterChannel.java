package org.sagaengine.platform.deadletter;

import org.axonframework.eventhandling.EventMessage;
import org.axonframework.messaging.deadletter.SequencedDeadLetterProcessor;
import org.axonframework.messaging.deadletter.SequencedDeadLetterQueue;

/**
 * The dead letters of one processing group and the way to process them again. Event processors with a dead-letter
 * queue get one from Axon; a service adds its own for handlers Axon has no queue for (the order saga).
 */
public record DeadLetterChannel(String processingGroup,
                                SequencedDeadLetterQueue<EventMessage<?>> queue,
                                SequencedDeadLetterProcessor<EventMessage<?>> processor) {
}
