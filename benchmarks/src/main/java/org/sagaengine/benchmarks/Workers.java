package org.sagaengine.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A fixed set of threads, each with its own session (its connections), taking orders from one queue: how a service
 * with a connection pool would do the work. A session that fails is closed, and a new one opened for the next order.
 */
final class Workers<S extends AutoCloseable> implements AutoCloseable {

    interface Opener<S> {
        S open() throws Exception;
    }

    interface Work<S> {
        String place(S session, Order order) throws Exception;
    }

    private record Task(Order order, CompletableFuture<String> outcome) {
    }

    private final BlockingQueue<Task> queue = new LinkedBlockingQueue<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean closed;

    Workers(String name, int count, Opener<S> opener, Work<S> work) {
        for (int t = 0; t < count; t++) {
            Thread thread = new Thread(() -> serve(opener, work), name + "-" + t);
            thread.setDaemon(true);
            thread.start();
            threads.add(thread);
        }
    }

    CompletableFuture<String> submit(Order order) {
        CompletableFuture<String> outcome = new CompletableFuture<>();
        queue.add(new Task(order, outcome));
        return outcome;
    }

    private void serve(Opener<S> opener, Work<S> work) {
        S session = null;
        while (!closed) {
            Task task;
            try {
                task = queue.take();
            } catch (InterruptedException stopping) {
                break;
            }
            try {
                if (session == null) {
                    session = opener.open();
                }
                task.outcome().complete(work.place(session, task.order()));
            } catch (Exception | Error failure) {
                task.outcome().completeExceptionally(failure);
                closeQuietly(session);
                session = null;
            }
        }
        closeQuietly(session);
    }

    private static void closeQuietly(AutoCloseable session) {
        if (session != null) {
            try {
                session.close();
            } catch (Exception ignored) {
                // Already broken.
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        threads.forEach(Thread::interrupt);
        for (Thread thread : threads) {
            thread.join(5_000);
        }
        queue.forEach(task -> task.outcome().completeExceptionally(new IllegalStateException("stopped")));
    }
}
