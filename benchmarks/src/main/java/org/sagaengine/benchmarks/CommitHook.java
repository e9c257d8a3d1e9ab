package org.sagaengine.benchmarks;

import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * A database's XA resource that does something the moment the coordinator tells it to commit, then commits: look at
 * the prepared transactions, or kill the coordinator, as a crash between prepare and commit would.
 */
record CommitHook(XAResource delegate, Action action) implements XAResource {

    interface Action {
        void beforeCommit(Xid xid, boolean onePhase) throws Exception;
    }

    @Override
    public void commit(Xid xid, boolean onePhase) throws XAException {
        try {
            action.beforeCommit(xid, onePhase);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        delegate.commit(xid, onePhase);
    }

    @Override
    public void end(Xid xid, int flags) throws XAException {
        delegate.end(xid, flags);
    }

    @Override
    public void forget(Xid xid) throws XAException {
        delegate.forget(xid);
    }

    @Override
    public int getTransactionTimeout() throws XAException {
        return delegate.getTransactionTimeout();
    }

    @Override
    public boolean isSameRM(XAResource other) throws XAException {
        return other == this || delegate.isSameRM(other instanceof CommitHook hook ? hook.delegate() : other);
    }

    @Override
    public int prepare(Xid xid) throws XAException {
        return delegate.prepare(xid);
    }

    @Override
    public Xid[] recover(int flag) throws XAException {
        return delegate.recover(flag);
    }

    @Override
    public void rollback(Xid xid) throws XAException {
        delegate.rollback(xid);
    }

    @Override
    public boolean setTransactionTimeout(int seconds) throws XAException {
        return delegate.setTransactionTimeout(seconds);
    }

    @Override
    public void start(Xid xid, int flags) throws XAException {
        delegate.start(xid, flags);
    }
}
