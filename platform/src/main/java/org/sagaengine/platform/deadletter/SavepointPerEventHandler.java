package org.sagaengine.platform.deadletter;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;

import javax.sql.DataSource;

import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.messaging.Message;
import org.axonframework.messaging.annotation.HandlerEnhancerDefinition;
import org.axonframework.messaging.annotation.MessageHandlingMember;
import org.axonframework.messaging.annotation.WrappedMessageHandlingMember;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.support.DefaultTransactionDefinition;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Runs each event handler of a projection or saga in a savepoint of the processor's transaction. PostgreSQL refuses
 * every statement of a transaction after one has failed; rolling back to the savepoint undoes only the failed handler,
 * so that the dead-letter queue can record the failure and the rest of the batch commits.
 * <p>
 * With a {@link DataSourceTransactionManager} the savepoint is set on the transaction's connection and, when the
 * handler succeeds, left as it is: PostgreSQL ends every savepoint with its transaction, a later savepoint nests in it,
 * and rolling back to that later one undoes only what came after it. Releasing it would be a statement of its own
 * for each handler, and would not give back the subtransaction: PostgreSQL keeps the identifier of a released one
 * until the transaction ends. With another transaction manager each handler runs in a nested transaction, which
 * releases its savepoint.
 */
public class SavepointPerEventHandler implements HandlerEnhancerDefinition {

    private final PlatformTransactionManager transactions;
    private final DataSource dataSource;
    private final DefaultTransactionDefinition nested =
            new DefaultTransactionDefinition(TransactionDefinition.PROPAGATION_NESTED);

    public SavepointPerEventHandler(PlatformTransactionManager transactions) {
        this.transactions = transactions;
        this.dataSource = transactions instanceof DataSourceTransactionManager jdbc ? jdbc.getDataSource() : null;
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
                return dataSource == null ? inNestedTransaction(() -> super.handle(message, target))
                                          : inSavepoint(() -> super.handle(message, target));
            }
        };
    }

    /** What a handler does. */
    private interface Handling {
        Object run() throws Exception;
    }

    private Object inSavepoint(Handling handling) throws Exception {
        Connection connection = DataSourceUtils.getConnection(dataSource);
        try {
            Savepoint savepoint = connection.setSavepoint();
            try {
                return handling.run();
            } catch (Exception | Error failure) {
                rollBack(connection, savepoint, failure);
                throw failure;
            }
        } finally {
            DataSourceUtils.releaseConnection(connection, dataSource);
        }
    }

    private static void rollBack(Connection connection, Savepoint savepoint, Throwable failure) {
        try {
            connection.rollback(savepoint);
        } catch (SQLException unrolled) {
            failure.addSuppressed(unrolled);
        }
    }

    private Object inNestedTransaction(Handling handling) throws Exception {
        TransactionStatus savepoint = transactions.getTransaction(nested);
        Object result;
        try {
            result = handling.run();
        } catch (Exception | Error failure) {
            transactions.rollback(savepoint);
            throw failure;
        }
        transactions.commit(savepoint);
        return result;
    }
}
