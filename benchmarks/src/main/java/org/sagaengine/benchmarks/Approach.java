package org.sagaengine.benchmarks;

import java.util.concurrent.CompletableFuture;

/** One way of doing the order work, running, ready for load and for an outage of its payments side. */
public interface Approach extends AutoCloseable {

    String name();

    /** Creates the products and accounts of a mix under the run's prefix. */
    void seed(Mix mix, String run) throws Exception;

    /** Starts an order; completes with its final outcome, or fails with what the client saw. Never blocks. */
    CompletableFuture<String> place(Order order);

    /** What "the payments side" is for this approach, in the report's words. */
    String paymentsSide();

    void stopPayments() throws Exception;

    void startPayments() throws Exception;

    /** What is left in doubt right now (prepared transactions, orders not yet ended), and what that is. */
    long inDoubt();

    String inDoubtMeaning();

    @Override
    void close() throws Exception;
}
