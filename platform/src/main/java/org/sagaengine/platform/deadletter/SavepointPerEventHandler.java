package org.sagaengine.platform.deadletter;

import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.messaging.Message;
import org.axonframework.messaging.annotation.HandlerEnhancerDefinition;
import org.axonframework.messaging.annotation.MessageHandlingMember;
import org.axonframework.messaging.annotation.WrappedMessageHandlingMember;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.support.DefaultTransactionDefinition;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Runs each event handler of a projection or saga in a savepoint of the processor's transaction. PostgreSQL refuses
 * every statement of a transaction after one has failed; rolling back to the savepoint undoes only the failed handler,
 * so that the dead-letter queue can record the failure and the rest of the batch commits.
 */
public class SavepointPerEventHandler implements HandlerEnhancerDefinition {

    private final PlatformTransactionManager transactions;
    private final DefaultTransactionDefinition nested =
            new DefaultTransactionDefinition(TransactionDefinition.PROPAGATION_NESTED);

    public SavepointPerEventHandler(PlatformTransactionManager transactions) {
        this.transactions = transactions;
    }

    @Override
    public <T> MessageHandlingMember<T> wrapHandler(MessageHandlingMember<T> original) {
        if (!original.canHandleMessageType(EventMessage.class)
                || original.annotationAttributes(EventSourcingHandler.class).isPresent()) {
            return original;
        }
        return new WrappedMessageHandlingMember<>(original) {
            @Override
            public Object handle(Message<?> message, T target) throws Exception {
                if (!TransactionSynchronizationManager.isActualTransactionActive()) {
                    return super.handle(message, target);
                }
                TransactionStatus savepoint = transactions.getTransaction(nested);
                Object result;
                try {
                    result = super.handle(message, target);
                } catch (Exception | Error failure) {
                    transactions.rollback(savepoint);
                    throw failure;
                }
                transactions.commit(savepoint);
                return result;
            }
        };
    }
}
