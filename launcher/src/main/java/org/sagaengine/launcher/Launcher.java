package org.sagaengine.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
            """;

    private Launcher() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = parse(args);
        SystemSettings.ExternalPostgres external = null;
        if (options.containsKey("postgres-host")) {
            external = new SystemSettings.ExternalPostgres(
                    options.get("postgres-host"), Integer.parseInt(options.getOrDefault("postgres-port", "5432")),
                    options.getOrDefault("postgres-user", "postgres"), options.getOrDefault("postgres-password", ""));
        }
        SystemSettings settings = new SystemSettings(
                Path.of(options.getOrDefault("data-dir", "data")).toAbsolutePath(),
                servicesDirectory(),
                Integer.parseInt(options.getOrDefault("postgres-port", "54320")),
                external,
                Integer.parseInt(options.getOrDefault("order-port", "8081")),
                Integer.parseInt(options.getOrDefault("inventory-port", "8082")),
                Integer.parseInt(options.getOrDefault("payment-port", "8083")),
                List.of("-Xmx512m", "-XX:+UseSerialGC"),
                List.of(),
                Duration.ofMinutes(3));

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

    private static Map<String, String> parse(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (String arg : args) {
            if (arg.equals("--help") || !arg.startsWith("--") || !arg.contains("=")) {
                System.out.print(USAGE);
                System.exit(arg.equals("--help") ? 0 : 2);
            }
            String[] pair = arg.substring(2).split("=", 2);
            options.put(pair[0], pair[1]);
        }
        return options;
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
