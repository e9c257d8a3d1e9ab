package org.sagaengine.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar launcher/target/launcher.jar [--option=value ...]}: starts PostgreSQL and the three services, waits
 * until they are healthy, prints where they are, and stops everything on Ctrl-C. Data is kept in the data directory,
 * so a restart carries on where the last run stopped.
 */
public final class Launcher {

    private static final String USAGE = """
            Usage: java -jar launcher/target/launcher.jar [options]
              --data-dir=PATH         PostgreSQL data and service logs (default: ./data)
              --postgres-port=PORT    port of the embedded PostgreSQL (default: 54320)
              --postgres-host=HOST    use your own PostgreSQL server instead of the embedded one; with
              --postgres-user=USER      a user allowed to create roles and databases
              --postgres-password=PW
              --order-port=PORT       order-saga's HTTP port (default: 8081)
              --inventory-port=PORT   inventory-service's HTTP port (default: 8082)
              --payment-port=PORT     payment-service's HTTP port (default: 8083)
              --axon-server=HOST:PORT the distributed topology: the services connect to this Axon Server (gRPC
                                        port, 8124 by default), which stores the events and routes the messages
              --bind-address=ADDRESS  where the services listen (default: 127.0.0.1, this machine only;
                                        0.0.0.0 for every interface: then put TLS or a private network in front)
            The external server's password may come from the environment (SAGAENGINE_POSTGRES_PASSWORD) instead.
            A service or PostgreSQL that dies is restarted after 1 s, doubling up to 30 s; the console says so.
            """;
    private static final Set<String> OPTIONS = Set.of(
            "data-dir", "postgres-port", "postgres-host", "postgres-user", "postgres-password", "order-port",
            "inventory-port", "payment-port", "bind-address", "axon-server");

    private Launcher() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = parse(args);
        SystemSettings.ExternalPostgres external = null;
        if (options.containsKey("postgres-host")) {
            external = new SystemSettings.ExternalPostgres(
                    options.get("postgres-host"), port(options, "postgres-port", 5432),
                    options.getOrDefault("postgres-user", "postgres"),
                    options.getOrDefault("postgres-password",
                                         System.getenv().getOrDefault("SAGAENGINE_POSTGRES_PASSWORD", "")));
        }
        SystemSettings settings = new SystemSettings(
                Path.of(options.getOrDefault("data-dir", "data")).toAbsolutePath(),
                servicesDirectory(),
                port(options, "postgres-port", 54320),
                external,
                port(options, "order-port", 8081),
                port(options, "inventory-port", 8082),
                port(options, "payment-port", 8083),
                options.getOrDefault("bind-address", "127.0.0.1"),
                true,
                true,
                List.of("-Xmx512m", "-XX:+UseSerialGC"),
                List.of(),
                Duration.ofMinutes(3),
                options.get("axon-server"));

        EmbeddedSystem system = new EmbeddedSystem(settings, Launcher::say);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            say("Stopping...");
            system.close();
            stopped.countDown();
        }, "launcher-shutdown"));
        try {
            system.start();
        } catch (Exception e) {
            say("Could not start: " + e.getMessage());
            System.exit(1);
        }
        say("""
            The system is up.
              orders     %s/orders        (API description: %s/v3/api-docs)
              inventory  %s/products
              payments   %s/accounts
              dashboard  %s/dashboard/
              PostgreSQL %s
              admin      user admin, password in %s (for /admin/** on each service)
            Logs are in %s. Press Ctrl-C to stop.""".formatted(
                system.uri(EmbeddedSystem.ORDER_SAGA), system.uri(EmbeddedSystem.ORDER_SAGA),
                system.uri(EmbeddedSystem.INVENTORY), system.uri(EmbeddedSystem.PAYMENT),
                system.uri(EmbeddedSystem.ORDER_SAGA), system.jdbcUrl("<database>"), system.adminPasswordFile(), settings.dataDirectory().resolve("logs")));
        stopped.await();
    }

    /** The options given; anything it does not know is refused with the usage text, before anything starts. */
    static Map<String, String> parse(String[] args) {
        if (List.of(args).contains("--help")) {
            System.out.print(USAGE);
            System.exit(0);
        }
        try {
            Map<String, String> options = options(args);
            for (String name : List.of("postgres-port", "order-port", "inventory-port", "payment-port")) {
                port(options, name, 0);
            }
            return options;
        } catch (IllegalArgumentException refused) {
            System.err.println(refused.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return Map.of();
        }
    }

    /** The options as names and values; an unknown, incomplete or repeated option is refused. */
    static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (String arg : args) {
            String[] pair = arg.startsWith("--") ? arg.substring(2).split("=", 2) : new String[] {arg};
            if (pair.length != 2 || !OPTIONS.contains(pair[0]) || pair[1].isBlank()) {
                throw new IllegalArgumentException("Unknown or incomplete option: " + arg);
            }
            if (options.put(pair[0], pair[1]) != null) {
                throw new IllegalArgumentException("Option given twice: --" + pair[0]);
            }
        }
        return options;
    }

    static int port(Map<String, String> options, String name, int fallback) {
        String value = options.get(name);
        if (value == null) {
            return fallback;
        }
        try {
            int port = Integer.parseInt(value);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException notANumber) {
            // refused below
        }
        throw new IllegalArgumentException("--" + name + " needs a port number from 1 to 65535, not " + value);
    }

    /** The services' jars are copied next to the launcher's own jar by the build. */
    private static Path servicesDirectory() {
        String jar = System.getProperty("java.class.path");
        Path besideJar = Path.of(jar).toAbsolutePath().getParent().resolve("services");
        return Files.isDirectory(besideJar) ? besideJar : Path.of("launcher", "target", "services").toAbsolutePath();
    }

    private static void say(String message) {
        System.out.println("[" + LocalTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")) + "] " + message);
    }
}
