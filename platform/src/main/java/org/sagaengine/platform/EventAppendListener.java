package org.sagaengine.platform;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import javax.sql.DataSource;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Hears that events were appended to the shared event store, from any service, and wakes this service's event store
 * so that its processors read them at once: PostgreSQL's {@code LISTEN} on the channel the events table's trigger
 * notifies at each commit. Without it a processor sees another service's event only at its event store's next poll.
 * <p>
 * The poll stays as the safety net: a notification lost while the connection was down only delays events until then.
 * The listener holds one connection of its own, outside the pool, and connects again after a failure.
 * <p>
 * It wakes the store at most once per {@code interval}: the first append after a quiet spell wakes it at once, and
 * appends that follow closely are read together, a moment later, in one batch. Waking for each of hundreds of appends
 * a second would have every processor read and commit them one by one.
 */
final class EventAppendListener implements SmartLifecycle {

    static final String CHANNEL = "domain_events";
    private static final Logger log = LoggerFactory.getLogger(EventAppendListener.class);
    private static final Duration RECONNECT = Duration.ofSeconds(1);

    private final DataSource events;
    private final Runnable wake;
    private final Duration interval;
    private volatile Thread thread;
    private long lastWake;

    /**
     * @param events   the events database
     * @param wake     what to do on hearing of new events; called on the listener's thread, so it must not block
     * @param interval the least time between two wakes
     */
    EventAppendListener(DataSource events, Runnable wake, Duration interval) {
        this.events = events;
        this.wake = wake;
        this.interval = interval;
    }

    @Override
    public void start() {
        Thread listening = new Thread(this::listen, "event-append-listener");
        listening.setDaemon(true);
        thread = listening;
        listening.start();
    }

    @Override
    public void stop() {
        Thread listening = thread;
        thread = null;
        if (listening != null) {
            listening.interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return thread != null;
    }

    private void listen() {
        boolean failing = false;
        while (thread == Thread.currentThread()) {
            try (Connection connection = events.getConnection()) {
                connection.setAutoCommit(true);
                try (Statement sql = connection.createStatement()) {
                    sql.execute("listen " + CHANNEL);
                }
                // Events appended while nobody listened are read now.
                wake.run();
                if (failing) {
                    log.info("Listening for appended events again");
                    failing = false;
                }
                PGConnection listener = connection.unwrap(PGConnection.class);
                while (thread == Thread.currentThread()) {
                    PGNotification[] heard = listener.getNotifications((int) Duration.ofSeconds(10).toMillis());
                    if (heard != null && heard.length > 0) {
                        long since = System.nanoTime() - lastWake;
                        if (since < interval.toNanos()) {
                            // Appends in quick succession: those that follow in the meantime are read with it.
                            Thread.sleep((interval.toNanos() - since) / 1_000_000);
                        }
                        lastWake = System.nanoTime();
                        wake.run();
                    }
                }
            } catch (InterruptedException stopping) {
                return;
            } catch (SQLException e) {
                if (!failing) {
                    log.warn("Not listening for appended events ({}); polling only until it is back", e.getMessage());
                    failing = true;
                }
                try {
                    Thread.sleep(RECONNECT.toMillis());
                } catch (InterruptedException stopping) {
                    return;
                }
            }
        }
    }
}
