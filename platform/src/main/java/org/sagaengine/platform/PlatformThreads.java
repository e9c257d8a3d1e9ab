package org.sagaengine.platform;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;

final class PlatformThreads {

    private PlatformThreads() {
    }

    /** One named daemon thread: background work that must never keep the JVM from stopping. */
    static ScheduledExecutorService singleDaemonScheduler(String name) {
        return Executors.newSingleThreadScheduledExecutor(daemons(name));
    }

    /** Daemon threads named {@code prefix}, then {@code prefix-2}, {@code prefix-3}... */
    static ThreadFactory daemons(String prefix) {
        AtomicLong count = new AtomicLong();
        return runnable -> {
            long number = count.incrementAndGet();
            Thread thread = new Thread(runnable, number == 1 ? prefix : prefix + "-" + number);
            thread.setDaemon(true);
            return thread;
        };
    }
}
