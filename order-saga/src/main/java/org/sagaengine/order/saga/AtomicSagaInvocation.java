package org.sagaengine.order.saga;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.axonframework.messaging.Message;
import org.axonframework.messaging.annotation.HandlerEnhancerDefinition;
import org.axonframework.messaging.annotation.MessageHandlingMember;
import org.axonframework.messaging.annotation.WrappedMessageHandlingMember;

/**
 * Gives the order saga's handlers all-or-nothing behaviour in memory: the saga's fields are copied before a handler
 * runs and put back if it throws, so a dead-lettered event leaves the saga as it found it. The database side is the
 * platform's savepoint per handler.
 */
class AtomicSagaInvocation implements HandlerEnhancerDefinition {

    private final ObjectMapper sagaMapper;

    AtomicSagaInvocation(ObjectMapper sagaMapper) {
        this.sagaMapper = sagaMapper;
    }

    @Override
    public <T> MessageHandlingMember<T> wrapHandler(MessageHandlingMember<T> original) {
        if (!OrderSaga.class.isAssignableFrom(original.declaringClass())) {
            return original;
        }
        return new WrappedMessageHandlingMember<>(original) {
            @Override
            public Object handle(Message<?> message, T saga) throws Exception {
                byte[] before = sagaMapper.writeValueAsBytes(saga);
                try {
                    return super.handle(message, saga);
                } catch (Exception | Error failure) {
                    sagaMapper.readerForUpdating(saga).readValue(before);
                    throw failure;
                }
            }
        };
    }
}
