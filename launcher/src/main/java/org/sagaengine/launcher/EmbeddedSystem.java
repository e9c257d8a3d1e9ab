package org.sagaengine.launcher;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The system on one machine: one PostgreSQL server holding each service's own database, and the three services, each
 * a separate JVM, told where their database and their peers are. In the embedded topology the same server also holds
 * the shared event store; in the distributed one the services connect to an Axon Server that is already running,
 * which stores the events and routes the messages.
 * <p>
 * It supervises what it started: a service or PostgreSQL that dies without being asked to is logged with its exit
 * code and started again after a pause that doubles with each failure in a row (1 s up to 30 s), with the same
 * secrets, so the others carry on talking to it. A service learns how often it was restarted, and shows it in its
 * health.
 */
public final class EmbeddedSystem implements AutoCloseable {

    public static final String ORDER_SAGA = "order-saga";
    public static final String INVENTORY = "inventory-service";
    public static final String PAYMENT = "payment-service";

    static final String DB_USER = "sagaengine";
    private static final String EVENTS_DATABASE = "events";
    private static final Map<String, String> SERVICE_DATABASES = Map.of(
            ORDER_SAGA, "orders", INVENTORY, "inventory", PAYMENT, "payments");
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Duration LONGEST_BACKOFF = Duration.ofSeconds(30);
    private static final Duration STABLE = Duration.ofSeconds(60);

    private final SystemSettings settings;
    private final Consumer<String> progress;
    private final Map<String, ServiceProcess> services = new ConcurrentHashMap<>();
    /** How each service is run: its jar unpacked, and its class-data archive (see {@link ServiceImage}). */
    private final Map<String, ServiceImage> images = new ConcurrentHashMap<>();
    /** What was stopped on purpose and must stay down until asked to start again. */
    private final Set<String> heldDown = ConcurrentHashMap.newKeySet();
    private final String nodeSecret = Secrets.random();
    private final ScheduledExecutorService supervisor = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "supervisor");
        thread.setDaemon(true);
        return thread;
    });
    private PostgresServer postgres;
    /** Databases served by a server of their own instead of the shared one, by database name. */
    private final Map<String, PostgresServer> ownServers = new ConcurrentHashMap<>();
    private final Map<String, Integer> ownServerPorts = new ConcurrentHashMap<>();
    private final Map<String, String> postgresSettings = new ConcurrentHashMap<>();
    private Supervised postgresState = new Supervised(0, 0, Instant.now(), null);
    private String adminPassword;
    private String databasePassword;
    private String postgresHost;
    private int postgresPort;
    private volatile boolean supervising;
    private volatile boolean closing;

    public EmbeddedSystem(SystemSettings settings, Consumer<String> progress) {
        this.settings = settings;
        this.progress = progress;
    }

    /**
     * A service as started: its command line and environment (secrets live there, not on the command line), the
     * process, how often it was restarted, and when the next restart is due after it died.
     */
    public record ServiceProcess(String name, URI baseUri, Path log, Process process, List<String> command,
                                 String instance, Supervised supervision) {
    }

    /** How a supervised process is doing: restarts so far, failures in a row, when it started, and a due restart. */
    public record Supervised(int restarts, int failuresInARow, Instant startedAt, Instant restartDue) {
    }

    /**
     * Gives a service's database a PostgreSQL server of its own, on {@code port}, so that it can be stopped alone
     * ({@link #stopDatabaseOf}); the others stay on the shared server. To be called before {@link #start}. Such a
     * server is not supervised: it is down until {@link #startDatabaseOf} starts it again.
     */
    public EmbeddedSystem withOwnDatabaseServer(String service, int port) {
        if (settings.externalPostgres() != null) {
            throw new IllegalStateException("The databases are on an external server");
        }
        ownServerPorts.put(SERVICE_DATABASES.get(service), port);
        return this;
    }

    /**
     * A setting of the embedded PostgreSQL server beyond the launcher's own ({@code shared_preload_libraries}, say),
     * for tools that measure the system. To be called before {@link #start}.
     */
    public EmbeddedSystem withPostgresSetting(String name, String value) {
        if (settings.externalPostgres() != null) {
            throw new IllegalStateException("The databases are on an external server");
        }
        postgresSettings.put(name, value);
        return this;
    }

    /** Stops the server of a service's own database (see {@link #withOwnDatabaseServer}), as a failover would. */
    public void stopDatabaseOf(String service) throws IOException, InterruptedException {
        String database = SERVICE_DATABASES.get(service);
        ownServer(database).stop(false);
        progress.accept("Stopped the PostgreSQL server of " + database);
    }

    public void startDatabaseOf(String service) throws IOException, InterruptedException {
        String database = SERVICE_DATABASES.get(service);
        ownServer(database).start();
        progress.accept("Started the PostgreSQL server of " + database + " again");
    }

    private PostgresServer ownServer(String database) {
        PostgresServer server = ownServers.get(database);
        if (server == null) {
            throw new IllegalStateException(database + " has no server of its own");
        }
        return server;
    }

    private void startOwnServers() throws IOException, InterruptedException, SQLException {
        for (Map.Entry<String, Integer> own : ownServerPorts.entrySet()) {
            String database = own.getKey();
            PostgresServer server = PostgresServer.prepare(settings.dataDirectory().resolve("postgres-" + database),
                                                           settings.dataDirectory().resolve("postgres-" + database
                                                                                                    + "-password"),
                                                           settings.dataDirectory().resolve("logs/postgres-"
                                                                                                    + database + ".log"),
                                                           own.getValue(), settings.durableDatabase());
            server.start();
            ownServers.put(database, server);
            try (Connection admin = server.connectAsSuperuser("postgres"); Statement sql = admin.createStatement()) {
                createDatabase(sql, database);
            }
            progress.accept("PostgreSQL for " + database + " alone is up on port " + own.getValue());
        }
    }

    public EmbeddedSystem start() throws IOException, InterruptedException, SQLException {
        Files.createDirectories(settings.dataDirectory().resolve("logs"));
        adminPassword = Secrets.readOrCreate(adminPasswordFile());
        databasePassword = Secrets.readOrCreate(settings.dataDirectory().resolve("db-password"));
        List<Integer> ports = new ArrayList<>(List.of(settings.orderPort(), settings.inventoryPort(),
                                                      settings.paymentPort()));
        if (settings.externalPostgres() == null) {
            ports.add(settings.postgresPort());
        }
        ports.forEach(PostgresServer::requireFree);
        if (settings.axonServer() != null) {
            progress.accept("Distributed topology: the services connect to Axon Server at " + settings.axonServer());
        }
        startPostgres();
        createDatabases();
        startOwnServers();
        prepareServices();
        for (String service : List.of(ORDER_SAGA, INVENTORY, PAYMENT)) {
            services.put(service, launch(service, new Supervised(0, 0, Instant.now(), null)));
        }
        awaitHealthy(List.copyOf(services.keySet()));
        if (settings.supervise()) {
            supervisor.scheduleWithFixedDelay(this::supervise, 500, 500, TimeUnit.MILLISECONDS);
            supervising = true;
        }
        return this;
    }

    /** The process id of a service as it runs now, for tools that measure it. */
    public long pid(String service) {
        return services.get(service).process().pid();
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

    /** What the services present to each other on the command bus; new for every start of the launcher. */
    public String nodeSecret() {
        return nodeSecret;
    }

    /** How often the supervisor has restarted a service since the launcher started. */
    public int restarts(String service) {
        return services.get(service).supervision().restarts();
    }

    /** How often the supervisor has restarted PostgreSQL since the launcher started. */
    public int postgresRestarts() {
        return postgresState.restarts();
    }

    /** A JDBC URL for one of the system's databases, for tools and tests that look inside. */
    public String jdbcUrl(String database) {
        Integer own = ownServerPorts.get(database);
        return own != null ? "jdbc:postgresql://127.0.0.1:" + own + "/" + database
                           : "jdbc:postgresql://" + postgresHost + ":" + postgresPort + "/" + database;
    }

    /** A connection as the embedded server's superuser, for tools that read the server's own statistics. */
    public Connection connectAsSuperuser(String database) throws SQLException {
        if (postgres == null) {
            throw new IllegalStateException("The databases are on an external server");
        }
        return postgres.connectAsSuperuser(database);
    }

    /** A connection as the services' own database user, with its password. */
    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), DB_USER, databasePassword);
    }

    private void startPostgres() throws IOException, InterruptedException {
        SystemSettings.ExternalPostgres external = settings.externalPostgres();
        if (external != null) {
            postgresHost = external.host();
            postgresPort = external.port();
            progress.accept("Using PostgreSQL at " + postgresHost + ":" + postgresPort);
            return;
        }
        if (postgres == null) {
            postgres = PostgresServer.prepare(settings.dataDirectory().resolve("postgres"),
                                              settings.dataDirectory().resolve("postgres-password"),
                                              settings.dataDirectory().resolve("logs/postgres.log"),
                                              settings.postgresPort(), settings.durableDatabase());
            postgresSettings.forEach(postgres::set);
            progress.accept("Starting PostgreSQL (data in " + postgres.dataDirectory() + ", "
                    + (settings.durableDatabase() ? "durable" : "fast, NOT durable: fsync and synchronous commit off")
                    + ")");
        }
        postgres.start();
        postgresHost = "127.0.0.1";
        postgresPort = postgres.port();
        progress.accept("PostgreSQL is up on port " + postgresPort + " (loopback only, password required)");
    }

    private void createDatabases() throws SQLException {
        SystemSettings.ExternalPostgres external = settings.externalPostgres();
        try (Connection admin = external == null
                ? postgres.connectAsSuperuser("postgres")
                : DriverManager.getConnection(jdbcUrl("postgres"), external.username(), external.password());
             Statement sql = admin.createStatement()) {
            List<String> databases = new ArrayList<>(SERVICE_DATABASES.values());
            databases.removeAll(ownServerPorts.keySet());
            if (settings.axonServer() == null) {
                databases.add(0, EVENTS_DATABASE);
            }
            for (String database : databases) {
                createDatabase(sql, database);
            }
        }
    }

    /** The services' role, with the generated password, and the database it owns, unless they exist. */
    private void createDatabase(Statement sql, String database) throws SQLException {
        sql.execute("""
                    do $$ begin
                      if not exists (select from pg_roles where rolname = '%1$s') then
                        create role %1$s login;
                      end if;
                    end $$""".formatted(DB_USER));
        // The generated password, set at every start: a role from before it existed had a well-known one.
        sql.execute("alter role " + DB_USER + " password '" + databasePassword + "'");
        try (var exists = sql.executeQuery("select 1 from pg_database where datname = '" + database + "'")) {
            if (!exists.next()) {
                sql.execute("create database " + database + " owner " + DB_USER);
                progress.accept("Created database " + database);
            }
        }
    }

    private ServiceProcess launch(String service, Supervised supervision) throws IOException {
        ServiceImage image = images.get(service);
        Path log = settings.dataDirectory().resolve("logs").resolve(service + ".log");
        List<String> command = command(service, image.jar(), image.runOptions(), log);
        String instance = UUID.randomUUID().toString();
        Process process = processBuilder(command, log, instance, supervision.restarts()).start();
        progress.accept("Starting " + service + " on port " + ports().get(service) + " (log: " + log + ")");
        return new ServiceProcess(service, URI.create("http://localhost:" + ports().get(service)), log, process,
                                  List.copyOf(command), instance, supervision);
    }

    /**
     * Unpacks each service's jar and, where it has no class-data archive for these JVM options yet, starts the
     * services once to write one (see {@link ServiceImage}): once per build, about as long as one start, and every
     * start after it, restarts included, is about twice as fast. What fails here only makes the starts slower.
     */
    private void prepareServices() throws IOException, InterruptedException {
        Path java = javaCommand();
        List<ServiceImage> untrained = new ArrayList<>();
        for (String service : List.of(ORDER_SAGA, INVENTORY, PAYMENT)) {
            Path jar = settings.servicesDirectory().resolve(service + ".jar");
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException("No " + jar + ": build the services first (./mvnw -DskipTests package)");
            }
            ServiceImage image = ServiceImage.prepare(service, settings.servicesDirectory(), java,
                                                      settings.serviceJvmOptions(), prepareLog(service));
            if (image.jar().equals(jar)) {
                progress.accept("Could not unpack " + jar + " (see " + prepareLog(service) + "); " + service
                        + " runs from it as it is, and starts more slowly");
            }
            images.put(service, image);
            if (image.needsTraining()) {
                untrained.add(image);
            }
        }
        if (untrained.isEmpty()) {
            return;
        }
        progress.accept("Writing class-data archives for "
                + String.join(", ", untrained.stream().map(ServiceImage::service).toList())
                + " with one start of each, once per build, so that every later start is faster");
        Map<ServiceImage, Process> training = new LinkedHashMap<>();
        try {
            for (ServiceImage image : untrained) {
                Path log = prepareLog(image.service());
                List<String> command = command(image.service(), image.jar(), image.trainingOptions(), log);
                training.put(image, processBuilder(command, log, UUID.randomUUID().toString(), 0).start());
            }
            Instant deadline = Instant.now().plus(settings.startTimeout());
            for (Map.Entry<ServiceImage, Process> started : training.entrySet()) {
                String outcome = trained(started.getKey(), started.getValue(), deadline);
                if (outcome != null) {
                    progress.accept("No class-data archive for " + started.getKey().service() + " (" + outcome
                            + ", see " + prepareLog(started.getKey().service()) + "); it starts without one");
                }
            }
        } finally {
            training.values().forEach(Process::destroyForcibly);
        }
    }

    /** Waits for a training start and keeps its archive; what went wrong if it did not write one, or null. */
    private String trained(ServiceImage image, Process process, Instant deadline) throws InterruptedException {
        long left = Math.max(1, Duration.between(Instant.now(), deadline).toMillis());
        boolean ended = process.waitFor(left, TimeUnit.MILLISECONDS);
        if (!ended) {
            process.destroyForcibly().waitFor();
        }
        try {
            if (ended && process.exitValue() == 0 && image.adoptTrainingArchive()) {
                return null;
            }
            image.discardTrainingArchive();
        } catch (IOException e) {
            return "its archive could not be kept: " + e.getMessage();
        }
        return ended ? "exit code " + process.exitValue() : "not done within " + settings.startTimeout();
    }

    /** Where what preparing a service printed goes: beside its log. */
    private Path prepareLog(String service) {
        return settings.dataDirectory().resolve("logs").resolve(service + "-prepare.log");
    }

    private static Path javaCommand() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    private Map<String, Integer> ports() {
        return Map.of(ORDER_SAGA, settings.orderPort(), INVENTORY, settings.inventoryPort(),
                      PAYMENT, settings.paymentPort());
    }

    /** The command line of a service: where its databases and peers are, and where it logs. */
    private List<String> command(String service, Path jar, List<String> extraJvmOptions, Path log) {
        Map<String, Integer> ports = ports();
        int port = ports.get(service);
        String peerHost = peerHost();
        List<String> command = new ArrayList<>();
        command.add(javaCommand().toString());
        command.addAll(settings.serviceJvmOptions());
        command.addAll(extraJvmOptions);
        command.add("-jar");
        command.add(jar.toString());
        command.add("--server.port=" + port);
        command.add("--server.address=" + settings.bindAddress());
        command.add("--sagaengine.node.uri=http://" + peerHost + ":" + port);
        command.add("--spring.datasource.url=" + jdbcUrl(SERVICE_DATABASES.get(service)));
        command.add("--spring.datasource.username=" + DB_USER);
        if (settings.axonServer() == null) {
            command.add("--sagaengine.events.datasource.url=" + jdbcUrl(EVENTS_DATABASE));
            command.add("--sagaengine.events.datasource.username=" + DB_USER);
            ports.forEach((peer, peerPort) -> command.add("--spring.cloud.discovery.client.simple.instances." + peer
                    + "[0].uri=http://" + peerHost + ":" + peerPort));
        } else {
            command.add("--sagaengine.topology=axonserver");
            command.add("--axon.axonserver.servers=" + settings.axonServer());
        }
        // The service writes its own log and rolls it over (10 MB a file, 5 files kept); its console is off, so
        // what reaches standard output is only what the JVM says before logging starts or when it dies.
        command.add("--logging.file.name=" + log);
        command.add("--logging.threshold.console=OFF");
        command.add("--logging.logback.rollingpolicy.max-file-size=10MB");
        command.add("--logging.logback.rollingpolicy.max-history=5");
        command.add("--logging.logback.rollingpolicy.total-size-cap=60MB");
        command.addAll(settings.serviceArguments());
        return command;
    }

    /** How the services reach each other: loopback, unless they were asked to listen on one particular address. */
    private String peerHost() {
        String bind = settings.bindAddress();
        return bind.equals("0.0.0.0") || bind.equals("::") ? "127.0.0.1" : bind;
    }

    /** Secrets go in the environment, where other users cannot read them as they can a command line. */
    private ProcessBuilder processBuilder(List<String> command, Path log, String instance, int restarts) {
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(console(log).toFile()));
        Map<String, String> environment = builder.environment();
        environment.put("SAGAENGINE_ADMIN_PASSWORD", adminPassword);
        environment.put("SAGAENGINE_NODE_SECRET", nodeSecret);
        environment.put("SPRING_DATASOURCE_PASSWORD", databasePassword);
        environment.put("SAGAENGINE_EVENTS_DATASOURCE_PASSWORD", databasePassword);
        environment.put("SAGAENGINE_SUPERVISOR_RESTARTS", Integer.toString(restarts));
        environment.put("INFO_SAGAENGINE_INSTANCE", instance);
        return builder;
    }

    /** Stops a service the way a crash would, SIGKILL, and keeps it down until {@link #restart} starts it. */
    public void kill(String service) throws InterruptedException {
        heldDown.add(service);
        Process process = services.get(service).process();
        process.destroyForcibly();
        process.waitFor();
        progress.accept("Killed " + service);
    }

    /** Crashes a service with SIGKILL and leaves it to the supervisor to notice and start it again. */
    public void crash(String service) throws InterruptedException {
        Process process = services.get(service).process();
        process.destroyForcibly();
        process.waitFor();
        progress.accept("Crashed " + service + " (SIGKILL)");
    }

    /** Starts a service again after {@link #kill}, with the same command line and secrets. */
    public synchronized void restart(String service) throws IOException {
        ServiceProcess old = services.get(service);
        services.put(service, launch(service, new Supervised(old.supervision().restarts(), 0, Instant.now(), null)));
        heldDown.remove(service);
    }

    /**
     * Stops PostgreSQL (connections are cut; {@code immediate} as in a crash of the server, otherwise as in a
     * failover) and starts it again on the same data directory and port after the pause. The services are left to
     * reconnect on their own.
     */
    public void restartPostgres(Duration down, boolean immediate) throws IOException, InterruptedException {
        if (postgres == null) {
            throw new IllegalStateException("PostgreSQL is external to this system; restart it where it runs");
        }
        heldDown.add("postgres");
        try {
            postgres.stop(immediate);
            progress.accept("Stopped PostgreSQL" + (immediate ? " (immediate, as in a crash)" : ""));
            Thread.sleep(down.toMillis());
            startPostgres();
        } finally {
            heldDown.remove("postgres");
        }
    }

    /** Crashes the PostgreSQL server (SIGKILL of the postmaster) and leaves it to the supervisor. */
    public void crashPostgres() throws InterruptedException {
        ProcessHandle postmaster = postgres.running().orElseThrow();
        postmaster.destroyForcibly();
        postmaster.onExit().join();
        progress.accept("Crashed PostgreSQL (SIGKILL of the postmaster)");
    }

    private synchronized void supervise() {
        if (closing) {
            return;
        }
        try {
            superviseServices();
            supervisePostgres();
        } catch (RuntimeException | IOException e) {
            progress.accept("Supervisor: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void superviseServices() throws IOException {
        for (ServiceProcess service : List.copyOf(services.values())) {
            if (service.process().isAlive() || heldDown.contains(service.name())) {
                continue;
            }
            Supervised state = service.supervision();
            if (state.restartDue() == null) {
                Supervised failed = failed(state);
                services.put(service.name(), withSupervision(service, failed));
                progress.accept(service.name() + " stopped unexpectedly with exit code "
                        + service.process().exitValue() + "; restarting it in " + backoff(failed.failuresInARow()).toSeconds()
                        + " s (see " + service.log() + ")");
            } else if (!Instant.now().isBefore(state.restartDue())) {
                Supervised restarted = new Supervised(state.restarts() + 1, state.failuresInARow(), Instant.now(),
                                                      null);
                services.put(service.name(), launch(service.name(), restarted));
                progress.accept("Restarted " + service.name() + " (restart " + restarted.restarts() + ")");
            }
        }
    }

    private void supervisePostgres() throws IOException, InterruptedException {
        if (postgres == null || heldDown.contains("postgres") || postgres.running().isPresent()) {
            return;
        }
        if (postgresState.restartDue() == null) {
            postgresState = failed(postgresState);
            progress.accept("PostgreSQL stopped unexpectedly; restarting it in " + backoff(postgresState.failuresInARow()).toSeconds()
                    + " s (see " + settings.dataDirectory().resolve("logs/postgres.log") + ")");
        } else if (!Instant.now().isBefore(postgresState.restartDue())) {
            try {
                startPostgres();
                postgresState = new Supervised(postgresState.restarts() + 1, postgresState.failuresInARow(),
                                               Instant.now(), null);
                progress.accept("Restarted PostgreSQL (restart " + postgresState.restarts() + ")");
            } catch (IOException | RuntimeException e) {
                postgresState = failed(postgresState);
                progress.accept("PostgreSQL did not start: " + e.getMessage() + "; trying again in "
                        + backoff(postgresState.failuresInARow()).toSeconds() + " s");
            }
        }
    }

    /** A death: one more failure in a row, unless the process had run long enough to count as stable. */
    private static Supervised failed(Supervised state) {
        boolean wasStable = Duration.between(state.startedAt(), Instant.now()).compareTo(STABLE) > 0;
        int failures = wasStable ? 1 : state.failuresInARow() + 1;
        return new Supervised(state.restarts(), failures, state.startedAt(), Instant.now().plus(backoff(failures)));
    }

    /** 1 s after the first failure in a row, doubling up to 30 s. */
    private static Duration backoff(int failuresInARow) {
        Duration wait = FIRST_BACKOFF.multipliedBy(1L << Math.min(failuresInARow - 1, 5));
        return wait.compareTo(LONGEST_BACKOFF) > 0 ? LONGEST_BACKOFF : wait;
    }

    private static ServiceProcess withSupervision(ServiceProcess service, Supervised supervision) {
        return new ServiceProcess(service.name(), service.baseUri(), service.log(), service.process(),
                                  service.command(), service.instance(), supervision);
    }

    /**
     * Healthy includes command routing: each service knows which peer handles which command. Only the process this
     * system started counts: the answer must name the instance it was given.
     */
    public void awaitHealthy(List<String> names) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Instant deadline = Instant.now().plus(settings.startTimeout());
        Instant started = Instant.now();
        List<String> waiting = new ArrayList<>(names);
        while (!waiting.isEmpty()) {
            for (String service : List.copyOf(waiting)) {
                ServiceProcess running = services.get(service);
                if (!running.process().isAlive() && (!supervising || heldDown.contains(service))) {
                    throw new IllegalStateException(service + " stopped while starting (exit code "
                            + running.process().exitValue() + "); see " + running.log() + ":\n" + tail(running.log()));
                }
                if (running.process().isAlive() && healthy(http, running)) {
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

    private static boolean healthy(HttpClient http, ServiceProcess service) throws InterruptedException {
        try {
            HttpResponse<String> health = http.send(
                    HttpRequest.newBuilder(service.baseUri().resolve("/actuator/health"))
                               .timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (health.statusCode() != 200) {
                return false;
            }
            HttpResponse<String> info = http.send(
                    HttpRequest.newBuilder(service.baseUri().resolve("/actuator/info"))
                               .timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return info.statusCode() == 200 && info.body().contains("\"" + service.instance() + "\"");
        } catch (IOException notYet) {
            return false;
        }
    }

    /** Where a service's standard output goes: beside its log, as {@code <service>.out}. */
    private static Path console(Path log) {
        return log.resolveSibling(log.getFileName().toString().replace(".log", ".out"));
    }

    private static String tail(Path log) {
        StringBuilder tail = new StringBuilder();
        for (Path file : List.of(log, console(log))) {
            try {
                if (Files.exists(file)) {
                    List<String> lines = Files.readAllLines(file);
                    tail.append(String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size())))
                        .append('\n');
                }
            } catch (IOException e) {
                tail.append("(").append(file).append(" unreadable: ").append(e.getMessage()).append(")\n");
            }
        }
        return tail.toString();
    }

    /**
     * Stops the services (gracefully, then forcibly) and then PostgreSQL, and says what it could not stop. A process
     * the launcher did not start is not its to stop: a port still answering afterwards is reported as such.
     */
    @Override
    public void close() {
        closing = true;
        supervisor.shutdownNow();
        synchronized (this) {
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
                if (service.process().isAlive()) {
                    progress.accept(service.name() + " did not stop (pid " + service.process().pid() + ")");
                } else {
                    progress.accept("Stopped " + service.name());
                }
                if (isListening(service.baseUri().getPort())) {
                    progress.accept("Port " + service.baseUri().getPort() + " still answers: a process this launcher"
                            + " did not start is using it");
                }
            }
            for (Map.Entry<String, PostgresServer> own : ownServers.entrySet()) {
                try {
                    own.getValue().stop(false);
                    progress.accept("Stopped the PostgreSQL server of " + own.getKey());
                } catch (IOException e) {
                    progress.accept("The PostgreSQL server of " + own.getKey() + " did not stop cleanly: "
                            + e.getMessage());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (postgres != null) {
                try {
                    postgres.stop(false);
                    progress.accept(postgres.running().isEmpty() ? "Stopped PostgreSQL"
                            : "PostgreSQL did not stop (pid " + postgres.running().get().pid() + ")");
                } catch (IOException e) {
                    progress.accept("PostgreSQL did not stop cleanly: " + e.getMessage());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private static boolean isListening(int port) {
        try {
            PostgresServer.requireFree(port);
            return false;
        } catch (IllegalStateException taken) {
            return true;
        }
    }
}
