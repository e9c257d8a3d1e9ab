package org.sagaengine.platform;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

final class PlatformThreads {

    private PlatformThreads() {
    }

    /** One named daemon thread: background work that must never keep the JVM from stopping. */
    static ScheduledExecutorService singleDaemonScheduler(String name) {
        return Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        });
    }
}
