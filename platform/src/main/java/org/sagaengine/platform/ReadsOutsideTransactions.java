package org.sagaengine.platform;

import java.util.function.Supplier;

import org.axonframework.common.transaction.Transaction;
import org.axonframework.common.transaction.TransactionManager;

/**
 * The event store's transactions, for writes only. Axon's JDBC storage engine wraps every read in a transaction of
 * its own: each fetch of the tail, of an aggregate's events, of the head's index. A read is one query, or two that do
 * not need one snapshot (PostgreSQL's read committed gives each statement its own anyway), so the transaction adds
 * a {@code BEGIN} and a {@code COMMIT} and nothing else. Here a read runs on a connection in auto-commit, or in the
 * events transaction the caller has open, if any; appends and snapshots still commit all their rows, or none.
 */
final class ReadsOutsideTransactions implements TransactionManager {

    private final TransactionManager writes;

    ReadsOutsideTransactions(TransactionManager writes) {
        this.writes = writes;
    }

    @Override
    public Transaction startTransaction() {
        return writes.startTransaction();
    }

    @Override
    public <T> T fetchInTransaction(Supplier<T> read) {
        return read.get();
    }
}
