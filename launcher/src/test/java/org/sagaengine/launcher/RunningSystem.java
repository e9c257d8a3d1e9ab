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
            Path data = Files.createTempDirectory("saga-engine-e2e");
            Path services = Path.of(System.getProperty("sagaengine.services", "target/services"));
            SystemSettings settings = new SystemSettings(data, services, freePort(), null, freePort(), freePort(),
                                                         freePort(), List.of("-Xmx384m", "-XX:+UseSerialGC"), List.of(),
                                                         Duration.ofMinutes(3));
            EmbeddedSystem started = new EmbeddedSystem(settings, line -> System.out.println("[system] " + line));
            context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                   .put(RunningSystem.class, (ExtensionContext.Store.CloseableResource) started::close);
            system = started.start();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
