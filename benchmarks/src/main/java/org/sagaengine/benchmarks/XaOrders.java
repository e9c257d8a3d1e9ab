package org.sagaengine.benchmarks;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.UnaryOperator;

import javax.sql.XAConnection;
import javax.sql.XADataSource;
import javax.transaction.xa.XAResource;

import com.arjuna.ats.arjuna.common.CoreEnvironmentBeanException;
import com.arjuna.ats.arjuna.common.ObjectStoreEnvironmentBean;
import com.arjuna.ats.arjuna.common.arjPropertyManager;
import com.arjuna.common.internal.util.propertyservice.BeanPopulator;
import jakarta.transaction.HeuristicMixedException;
import jakarta.transaction.HeuristicRollbackException;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Status;
import jakarta.transaction.TransactionManager;

/**
 * The order work as one distributed transaction over three databases (orders, inventory, payments), coordinated by
 * Narayana's JTA transaction manager with two-phase commit: each database prepares (PostgreSQL's
 * {@code PREPARE TRANSACTION}), the coordinator writes its decision to its recovery log, then each commits. A database
 * that cannot prepare rolls back all three.
 */
public final class XaOrders {

    private final XADataSource orders;
    private final XADataSource inventory;
    private final XADataSource payments;
    private final TransactionManager transactions;

    /**
     * @param recoveryLog where the coordinator keeps its log of decided transactions; the first coordinator of a JVM
     *                    sets it for the JVM
     */
    public XaOrders(XADataSource orders, XADataSource inventory, XADataSource payments, Path recoveryLog) {
        this.orders = orders;
        this.inventory = inventory;
        this.payments = payments;
        useRecoveryLog(recoveryLog);
        this.transactions = com.arjuna.ats.jta.TransactionManager.transactionManager();
    }

    private static void useRecoveryLog(Path directory) {
        String dir = directory.toAbsolutePath().toString();
        try {
            arjPropertyManager.getCoreEnvironmentBean().setNodeIdentifier("benchmark-coordinator");
        } catch (CoreEnvironmentBeanException tooLong) {
            throw new IllegalStateException(tooLong);
        }
        arjPropertyManager.getObjectStoreEnvironmentBean().setObjectStoreDir(dir);
        BeanPopulator.getNamedInstance(ObjectStoreEnvironmentBean.class, "communicationStore").setObjectStoreDir(dir);
        BeanPopulator.getNamedInstance(ObjectStoreEnvironmentBean.class, "stateStore").setObjectStoreDir(dir);
    }

    public void createSchema() throws SQLException {
        try (Session session = session()) {
            try (Connection connection = session.orders.getConnection()) {
                OrderWork.createOrders(connection);
            }
            try (Connection connection = session.inventory.getConnection()) {
                OrderWork.createInventory(connection);
            }
            try (Connection connection = session.payments.getConnection()) {
                OrderWork.createPayments(connection);
            }
        }
    }

    /** Three database connections a worker keeps and uses for one distributed transaction after another. */
    public Session session() throws SQLException {
        return new Session(orders.getXAConnection(), inventory.getXAConnection(), payments.getXAConnection());
    }

    public Session session(UnaryOperator<XAResource> wrapOrders) throws SQLException {
        Session session = session();
        session.wrapOrders = wrapOrders;
        return session;
    }

    public final class Session implements AutoCloseable {

        private final XAConnection orders;
        private final XAConnection inventory;
        private final XAConnection payments;
        private UnaryOperator<XAResource> wrapOrders = UnaryOperator.identity();

        private Session(XAConnection orders, XAConnection inventory, XAConnection payments) {
            this.orders = orders;
            this.inventory = inventory;
            this.payments = payments;
        }

        /** Places the order in one distributed transaction: {@code CONFIRMED}, or {@code REJECTED}, nothing moved. */
        public String place(Order order) throws Exception {
            transactions.begin();
            try {
                var transaction = transactions.getTransaction();
                transaction.enlistResource(wrapOrders.apply(orders.getXAResource()));
                transaction.enlistResource(inventory.getXAResource());
                transaction.enlistResource(payments.getXAResource());
                try (Connection o = orders.getConnection(); Connection i = inventory.getConnection();
                     Connection p = payments.getConnection()) {
                    OrderWork.place(o, i, p, order);
                }
            } catch (OrderWork.Refused refused) {
                transactions.rollback();
                recordRejection(order, refused.getMessage());
                return "REJECTED";
            } catch (Exception | Error failure) {
                if (transactions.getStatus() != Status.STATUS_NO_TRANSACTION) {
                    transactions.rollback();
                }
                throw failure;
            }
            try {
                transactions.commit();
            } catch (RollbackException | HeuristicMixedException | HeuristicRollbackException notCommitted) {
                // PostgreSQL's driver reports a failed PREPARE TRANSACTION as a resource failure, not a rollback, so
                // the coordinator cannot tell that branch's outcome and says "heuristic mixed"; it rolls back the
                // branches that did prepare all the same.
                throw new SQLException("Not committed: a database failed while preparing ("
                                               + notCommitted.getClass().getSimpleName() + ")", notCommitted);
            }
            return "CONFIRMED";
        }

        private void recordRejection(Order order, String reason) throws SQLException {
            try (Connection connection = orders.getConnection()) {
                connection.setAutoCommit(true);
                OrderWork.record(connection, order, "REJECTED", reason);
            }
        }

        @Override
        public void close() throws SQLException {
            orders.close();
            inventory.close();
            payments.close();
        }
    }
}
