package org.sagaengine.launcher;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts the whole embedded system once for all end-to-end tests: PostgreSQL from Maven-delivered binaries and the
 * three services as separate processes, on free ports and a fresh data directory.
 */
public class RunningSystem implements BeforeAllCallback {

    /** Fewer than the default, so that {@link OverloadTest} can exceed it; the other tests stay below it. */
    static final int MAX_CONCURRENT_REQUESTS = 16;

    private static EmbeddedSystem system;

    public static EmbeddedSystem system() {
        return system;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        synchronized (RunningSystem.class) {
            if (system != null) {
                return;
            }
            EmbeddedSystem started = new EmbeddedSystem(testSettings("e2e", List.of(
                    "--sagaengine.web.max-concurrent-requests=" + MAX_CONCURRENT_REQUESTS,
                    "--sagaengine.web.overload-wait=50ms")),
                                                        line -> System.out.println("[system] " + line));
            context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                   .put(RunningSystem.class, (ExtensionContext.Store.CloseableResource) started::close);
            system = started.start();
        }
    }

    /** A system of its own for a test: a fresh data directory, free ports, small JVMs. */
    static SystemSettings testSettings(String name, List<String> serviceArguments) throws IOException {
        return new SystemSettings(Files.createTempDirectory("saga-engine-" + name),
                                  Path.of(System.getProperty("sagaengine.services", "target/services")),
                                  freePort(), null, freePort(), freePort(), freePort(),
                                  List.of("-Xmx384m", "-XX:+UseSerialGC"), serviceArguments, Duration.ofMinutes(3));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
