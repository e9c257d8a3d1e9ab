package org.sagaengine.launcher;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts the whole embedded system once for all end-to-end tests: PostgreSQL from Maven-delivered binaries and the
 * three services as separate processes, on free ports and a fresh data directory.
 */
public class RunningSystem extends TestData {

    /** Fewer than the default, so that {@link OverloadTest} can exceed it; the other tests stay below it. */
    static final int MAX_CONCURRENT_REQUESTS = 16;

    /** Refused admin logins before a client is throttled, and for how long: short, so the test can wait it out. */
    static final int MAX_FAILED_LOGINS = 5;
    static final Duration FAILED_LOGIN_WINDOW = Duration.ofSeconds(3);

    private static EmbeddedSystem system;

    public static EmbeddedSystem system() {
        return system;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        super.beforeAll(context);
        synchronized (RunningSystem.class) {
            if (system != null) {
                return;
            }
            EmbeddedSystem started = new EmbeddedSystem(testSettings("e2e", List.of(
                    "--sagaengine.web.max-concurrent-requests=" + MAX_CONCURRENT_REQUESTS,
                    "--sagaengine.web.overload-wait=50ms",
                    "--sagaengine.admin.max-failed-logins=" + MAX_FAILED_LOGINS,
                    "--sagaengine.admin.failed-login-window=" + FAILED_LOGIN_WINDOW.toMillis() + "ms")),
                                                        line -> System.out.println("[system] " + line));
            try {
                started.start();
            } catch (Exception | AssertionError failed) {
                // Stop what did start; the next test class will try again with a system of its own.
                started.close();
                throw failed;
            }
            context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                   .put(RunningSystem.class, (ExtensionContext.Store.CloseableResource) started::close);
            system = started;
        }
    }

    /**
     * A system of its own for a test: a fresh data directory, free ports, small JVMs that compile with C1 only (they
     * start faster on two cores), supervised, and PostgreSQL with the fast settings (no fsync, no synchronous commit)
     * unless a test asks for the durable ones.
     */
    static SystemSettings testSettings(String name, List<String> serviceArguments) throws IOException {
        return new SystemSettings(TestData.newDirectory(name),
                                  Path.of(System.getProperty("sagaengine.services", "target/services")),
                                  freePort(), null, freePort(), freePort(), freePort(), "127.0.0.1", false, true,
                                  List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), serviceArguments, Duration.ofMinutes(3),
                                  null);
    }

    /** The same settings with PostgreSQL durable, as the launcher runs it: for tests that crash the database. */
    static SystemSettings durable(SystemSettings settings) {
        return new SystemSettings(settings.dataDirectory(), settings.servicesDirectory(), settings.postgresPort(),
                                  settings.externalPostgres(), settings.orderPort(), settings.inventoryPort(),
                                  settings.paymentPort(), settings.bindAddress(), true, settings.supervise(),
                                  settings.serviceJvmOptions(), settings.serviceArguments(), settings.startTimeout(),
                                  settings.axonServer());
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
