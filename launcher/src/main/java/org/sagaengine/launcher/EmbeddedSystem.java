package org.sagaengine.launcher;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The embedded topology: one PostgreSQL server holding the four databases (each service's own, and the shared event
 * store), and the three services, each a separate JVM, told where their database and their peers are.
 */
public final class EmbeddedSystem implements AutoCloseable {

    public static final String ORDER_SAGA = "order-saga";
    public static final String INVENTORY = "inventory-service";
    public static final String PAYMENT = "payment-service";

    static final String DB_USER = "sagaengine";
    static final String DB_PASSWORD = "sagaengine";
    private static final String EVENTS_DATABASE = "events";
    private static final Map<String, String> SERVICE_DATABASES = Map.of(
            ORDER_SAGA, "orders", INVENTORY, "inventory", PAYMENT, "payments");

    private final SystemSettings settings;
    private final Consumer<String> progress;
    private final Map<String, ServiceProcess> services = new LinkedHashMap<>();
    private EmbeddedPostgres postgres;
    private String adminPassword;
    private final String nodeSecret = randomSecret();
    private String postgresHost;
    private int postgresPort;

    public EmbeddedSystem(SystemSettings settings, Consumer<String> progress) {
        this.settings = settings;
        this.progress = progress;
    }

    public record ServiceProcess(String name, URI baseUri, Path log, Process process, List<String> command) {
    }

    public EmbeddedSystem start() throws IOException, InterruptedException, SQLException {
        Files.createDirectories(settings.dataDirectory().resolve("logs"));
        adminPassword = readOrCreateAdminPassword();
        startPostgres();
        createDatabases();
        Map<String, Integer> ports = Map.of(ORDER_SAGA, settings.orderPort(), INVENTORY, settings.inventoryPort(),
                                            PAYMENT, settings.paymentPort());
        for (String service : List.of(ORDER_SAGA, INVENTORY, PAYMENT)) {
            services.put(service, launch(service, ports));
        }
        awaitHealthy(List.copyOf(services.keySet()));
        return this;
    }

    public URI uri(String service) {
        return services.get(service).baseUri();
    }

    /** Where the admin password is kept: created at the first start, readable by its owner only. */
    public Path adminPasswordFile() {
        return settings.dataDirectory().resolve("admin-password");
    }

    public String adminPassword() {
        return adminPassword;
    }

    private String readOrCreateAdminPassword() throws IOException {
        Path file = adminPasswordFile();
        if (!Files.exists(file)) {
            Files.writeString(file, randomSecret() + "\n");
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                progress.accept("Could not restrict the permissions of " + file);
            }
        }
        return Files.readString(file).strip();
    }

    /** What the services present to each other on the command bus; new for every start of the launcher. */
    public String nodeSecret() {
        return nodeSecret;
    }

    private static String randomSecret() {
        byte[] secret = new byte[18];
        new SecureRandom().nextBytes(secret);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }

    /** A JDBC URL for one of the system's databases, for tools and tests that look inside. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + postgresHost + ":" + postgresPort + "/" + database;
    }

    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), DB_USER, DB_PASSWORD);
    }

    private void startPostgres() throws IOException, SQLException {
        SystemSettings.ExternalPostgres external = settings.externalPostgres();
        if (external != null) {
            postgresHost = external.host();
            postgresPort = external.port();
            progress.accept("Using PostgreSQL at " + postgresHost + ":" + postgresPort);
            return;
        }
        Path dataDirectory = settings.dataDirectory().resolve("postgres");
        progress.accept("Starting PostgreSQL (data in " + dataDirectory + ")");
        postgres = EmbeddedPostgres.builder()
                                   .setDataDirectory(dataDirectory.toFile())
                                   .setCleanDataDirectory(false)
                                   .setPort(settings.postgresPort())
                                   .setServerConfig("max_connections", "200")
                                   .setOutputRedirector(ProcessBuilder.Redirect.appendTo(
                                           settings.dataDirectory().resolve("logs/postgres.log").toFile()))
                                   .start();
        postgresHost = "localhost";
        postgresPort = postgres.getPort();
        progress.accept("PostgreSQL is up on port " + postgresPort);
    }

    private void createDatabases() throws SQLException {
        SystemSettings.ExternalPostgres external = settings.externalPostgres();
        try (Connection admin = external == null
                ? postgres.getPostgresDatabase().getConnection()
                : DriverManager.getConnection(jdbcUrl("postgres"), external.username(), external.password());
             Statement sql = admin.createStatement()) {
            sql.execute("""
                        do $$ begin
                          if not exists (select from pg_roles where rolname = '%s') then
                            create role %s login password '%s';
                          end if;
                        end $$""".formatted(DB_USER, DB_USER, DB_PASSWORD));
            List<String> databases = new ArrayList<>(SERVICE_DATABASES.values());
            databases.add(0, EVENTS_DATABASE);
            for (String database : databases) {
                try (var exists = sql.executeQuery("select 1 from pg_database where datname = '" + database + "'")) {
                    if (!exists.next()) {
                        sql.execute("create database " + database + " owner " + DB_USER);
                        progress.accept("Created database " + database);
                    }
                }
            }
        }
    }

    private ServiceProcess launch(String service, Map<String, Integer> ports) throws IOException {
        Path jar = settings.servicesDirectory().resolve(service + ".jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("No " + jar + ": build the services first (./mvnw -DskipTests package)");
        }
        int port = ports.get(service);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(settings.serviceJvmOptions());
        command.add("-jar");
        command.add(jar.toString());
        command.add("--server.port=" + port);
        command.add("--sagaengine.node.uri=http://localhost:" + port);
        command.add("--spring.datasource.url=" + jdbcUrl(SERVICE_DATABASES.get(service)));
        command.add("--spring.datasource.username=" + DB_USER);
        command.add("--spring.datasource.password=" + DB_PASSWORD);
        command.add("--sagaengine.events.datasource.url=" + jdbcUrl(EVENTS_DATABASE));
        command.add("--sagaengine.events.datasource.username=" + DB_USER);
        command.add("--sagaengine.events.datasource.password=" + DB_PASSWORD);
        ports.forEach((peer, peerPort) -> command.add(
                "--spring.cloud.discovery.client.simple.instances." + peer + "[0].uri=http://localhost:" + peerPort));
        command.addAll(settings.serviceArguments());
        Path log = settings.dataDirectory().resolve("logs").resolve(service + ".log");
        Process process = processBuilder(command, log).start();
        progress.accept("Starting " + service + " on port " + port + " (log: " + log + ")");
        return new ServiceProcess(service, URI.create("http://localhost:" + port), log, process, List.copyOf(command));
    }

    /** Secrets go in the environment, where other users cannot read them as they can a command line. */
    private ProcessBuilder processBuilder(List<String> command, Path log) {
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().put("SAGAENGINE_ADMIN_PASSWORD", adminPassword);
        builder.environment().put("SAGAENGINE_NODE_SECRET", nodeSecret);
        return builder;
    }

    /** Stops a service the way a crash would: SIGKILL, no shutdown of any kind. */
    public void kill(String service) throws InterruptedException {
        Process process = services.get(service).process();
        process.destroyForcibly();
        process.waitFor();
        progress.accept("Killed " + service);
    }

    /** Starts a service again after it stopped, with the same command line. */
    public void restart(String service) throws IOException {
        ServiceProcess old = services.get(service);
        Process process = processBuilder(old.command(), old.log()).start();
        services.put(service, new ServiceProcess(service, old.baseUri(), old.log(), process, old.command()));
        progress.accept("Restarting " + service);
    }

    /**
     * Stops the embedded PostgreSQL server (connections are cut, as in a database crash or failover) and starts it
     * again on the same data directory and port after the given pause. The services are left to reconnect on their
     * own.
     */
    public void restartPostgres(Duration down) throws IOException, SQLException, InterruptedException {
        if (postgres == null) {
            throw new IllegalStateException("PostgreSQL is external to this system; restart it where it runs");
        }
        postgres.close();
        progress.accept("Stopped PostgreSQL");
        Thread.sleep(down.toMillis());
        startPostgres();
    }

    /** Healthy includes command routing: each service knows which peer handles which command. */
    public void awaitHealthy(List<String> names) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Instant deadline = Instant.now().plus(settings.startTimeout());
        Instant started = Instant.now();
        List<String> waiting = new ArrayList<>(names);
        while (!waiting.isEmpty()) {
            for (String service : List.copyOf(waiting)) {
                ServiceProcess running = services.get(service);
                if (!running.process().isAlive()) {
                    throw new IllegalStateException(service + " stopped while starting (exit code "
                            + running.process().exitValue() + "); see " + running.log() + ":\n" + tail(running.log()));
                }
                if (healthy(http, running.baseUri())) {
                    waiting.remove(service);
                    progress.accept(service + " is healthy at " + running.baseUri() + " after "
                            + Duration.between(started, Instant.now()).toSeconds() + " s");
                }
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("Not healthy within " + settings.startTimeout() + ": " + waiting);
            }
            Thread.sleep(500);
        }
    }

    private static boolean healthy(HttpClient http, URI baseUri) throws InterruptedException {
        try {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(baseUri.resolve("/actuator/health")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200;
        } catch (IOException notYet) {
            return false;
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    /** Stops the services (gracefully, then forcibly) and then PostgreSQL. */
    @Override
    public void close() {
        services.values().forEach(service -> service.process().destroy());
        for (ServiceProcess service : services.values()) {
            try {
                if (!service.process().waitFor(30, TimeUnit.SECONDS)) {
                    service.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                service.process().destroyForcibly();
                Thread.currentThread().interrupt();
            }
            progress.accept("Stopped " + service.name());
        }
        if (postgres != null) {
            try {
                postgres.close();
                progress.accept("Stopped PostgreSQL");
            } catch (IOException e) {
                progress.accept("PostgreSQL did not stop cleanly: " + e.getMessage());
            }
        }
    }

}
