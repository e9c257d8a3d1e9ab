package org.sagaengine.launcher;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A real Axon Server SE for the distributed topology's tests and benchmarks, started from the jar named by the
 * environment variable {@code AXONSERVER_JAR} (or the system property {@code sagaengine.axonserver.jar}). The jar is built from Axon
 * Server's public source and kept outside this repository: its licence allows testing, not distribution. Its files
 * (event store, control database) live in a directory of the test's, so that it can be killed and started again on
 * the same events.
 */
public final class AxonServerProcess implements AutoCloseable {

    private final Path jar;
    private final Path directory;
    private final int httpPort;
    private final int grpcPort;
    private final int internalPort;
    private Process process;

    private AxonServerProcess(Path jar, Path directory) throws IOException {
        this.jar = jar;
        this.directory = directory;
        this.httpPort = freePort();
        this.grpcPort = freePort();
        this.internalPort = freePort();
    }

    /** The jar, if this machine has one. */
    public static Optional<Path> jar() {
        String configured = System.getProperty("sagaengine.axonserver.jar", System.getenv("AXONSERVER_JAR"));
        return Optional.ofNullable(configured).map(Path::of).filter(Files::isRegularFile);
    }

    public static boolean hasJar() {
        return jar().isPresent();
    }

    public static AxonServerProcess start(Path jar, Path directory) throws IOException, InterruptedException {
        AxonServerProcess server = new AxonServerProcess(jar, directory);
        server.start();
        return server;
    }

    /** Where the services connect, as {@code axon.axonserver.servers} wants it. */
    public String servers() {
        return "localhost:" + grpcPort;
    }

    public URI dashboard() {
        return URI.create("http://localhost:" + httpPort);
    }

    public void start() throws IOException, InterruptedException {
        Files.createDirectories(directory.resolve("events"));
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m", "-XX:+UseSerialGC",
                "-jar", jar.toString(),
                "--server.port=" + httpPort,
                "--server.address=127.0.0.1",
                "--axoniq.axonserver.port=" + grpcPort,
                "--axoniq.axonserver.internal-port=" + internalPort,
                "--axoniq.axonserver.hostname=localhost",
                "--axoniq.axonserver.name=axonserver-test",
                "--axoniq.axonserver.event.storage=" + directory.resolve("events"),
                "--axoniq.axonserver.snapshot.storage=" + directory.resolve("events"),
                "--axoniq.axonserver.controldb-path=" + directory,
                "--axoniq.axonserver.pid-file-location=" + directory,
                "--axoniq.axonserver.plugin-package-directory=" + directory.resolve("plugins/bundles"),
                "--axoniq.axonserver.plugin-cache-directory=" + directory.resolve("plugins/cache")));
        process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                                             .redirectOutput(ProcessBuilder.Redirect.appendTo(
                                                     directory.resolve("axonserver.log").toFile()))
                                             .start();
        awaitUp(Duration.ofMinutes(2));
    }

    /** As a crash would: SIGKILL, nothing flushed. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    private void awaitUp(Duration timeout) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Axon Server stopped while starting; see "
                        + directory.resolve("axonserver.log"));
            }
            try {
                HttpResponse<String> health = http.send(
                        HttpRequest.newBuilder(dashboard().resolve("/actuator/health")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (health.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // starting
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("Axon Server not up within " + timeout);
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
