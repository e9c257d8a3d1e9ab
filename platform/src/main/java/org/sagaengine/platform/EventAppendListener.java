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
 * A burst of appends wakes the store at once, each of them; a steady stream of them, at most once per {@code interval}
 * ({@link WakeThrottle}), so that appends that follow closely are read together, a moment later, in one batch.
 * Waking for each of hundreds of appends a second would have every processor read and commit them one by one;
 * holding back every wake delayed each step of a lone order's saga.
 */
final class EventAppendListener implements SmartLifecycle {

    static final String CHANNEL = "domain_events";
    private static final Logger log = LoggerFactory.getLogger(EventAppendListener.class);
    private static final Duration RECONNECT = Duration.ofSeconds(1);

    private final DataSource events;
    private final Runnable wake;
    private final WakeThrottle throttle;
    private volatile Thread thread;

    /**
     * @param events   the events database
     * @param wake     what to do on hearing of new events; called on the listener's thread, so it must not block
     * @param interval how far apart wakes are while appends keep coming, once a burst is spent
     * @param burst    how many wakes in a row go at once
     */
    EventAppendListener(DataSource events, Runnable wake, Duration interval, int burst) {
        this.events = events;
        this.wake = wake;
        this.throttle = new WakeThrottle(interval, burst);
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
                        long delay = throttle.delayNanos(System.nanoTime());
                        if (delay > 0) {
                            // Appends keep coming: those that follow in the meantime are read with this one.
                            Thread.sleep(delay / 1_000_000, (int) (delay % 1_000_000));
                        }
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
