package org.sagaengine.launcher;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * A PostgreSQL server of the launcher's own: real binaries delivered through Maven, a data directory that outlives
 * the launcher, and nothing open to anyone without a password.
 * <ul>
 *   <li>The cluster is created with password (SCRAM) authentication for every connection, local ones included; the
 *   superuser's password is generated into {@code postgres-password} beside the data directory, readable by its
 *   owner only, and handed to {@code initdb} in a file, never on a command line.</li>
 *   <li>It listens on loopback only, and has no Unix socket.</li>
 *   <li>Durable by default: fsync and synchronous commit are on, so a commit that was acknowledged survives a crash
 *   of the server. Tests may ask for the fast, non-durable settings.</li>
 *   <li>It can be stopped as a crash would stop it ({@code immediate}), and started again on the same data.</li>
 * </ul>
 * When the launcher runs as root, the server runs in a user namespace of its own ({@code unshare -U}), where it is
 * not root: PostgreSQL refuses to run as root.
 * <p>
 * The benchmarks start servers of their own with it, with further settings ({@link #set}).
 */
public final class PostgresServer {

    static final String SUPERUSER = "postgres";

    private final Path binaries;
    private final Path dataDirectory;
    private final Path passwordFile;
    private final Path log;
    private final int port;
    private final boolean durable;
    private final String superuserPassword;
    private final Map<String, String> extraSettings = new LinkedHashMap<>();

    private PostgresServer(Path binaries, Path dataDirectory, Path passwordFile, Path log, int port, boolean durable)
            throws IOException {
        this.binaries = binaries;
        this.dataDirectory = dataDirectory;
        this.passwordFile = passwordFile;
        this.log = log;
        this.port = port;
        this.durable = durable;
        this.superuserPassword = Secrets.readOrCreate(passwordFile);
    }

    /**
     * @param dataDirectory where the cluster lives; created at the first start
     * @param passwordFile  where the superuser's password is kept
     * @param log           the server's log
     * @param durable       fsync and synchronous commit on; off only for tests that trade durability for speed
     */
    public static PostgresServer prepare(Path dataDirectory, Path passwordFile, Path log, int port, boolean durable)
            throws IOException {
        return new PostgresServer(unpackedBinaries(), dataDirectory, passwordFile, log, port, durable);
    }

    /** A server setting beyond the launcher's own ({@code max_prepared_transactions}, say), from the next start. */
    public PostgresServer set(String name, String value) {
        extraSettings.put(name, value);
        return this;
    }

    public int port() {
        return port;
    }

    public String superuserPassword() {
        return superuserPassword;
    }

    Path dataDirectory() {
        return dataDirectory;
    }

    /** Creates the cluster if there is none, and starts the server; refuses when its port is taken. */
    public void start() throws IOException, InterruptedException {
        if (running().isPresent()) {
            throw new IllegalStateException("PostgreSQL is already running on " + dataDirectory + " (pid "
                    + running().get().pid() + "); stop it first");
        }
        requireFree(port);
        if (!Files.exists(dataDirectory.resolve("PG_VERSION"))) {
            initdb();
        }
        writeClientAuthentication();
        run(List.of("pg_ctl", "-D", dataDirectory.toString(), "-l", log.toString(), "-w", "-t", "120",
                    "-o", String.join(" ", serverOptions()), "start"));
        awaitConnection(Duration.ofSeconds(60));
    }

    /** Stops the server: {@code fast} rolls back open transactions and checkpoints; {@code immediate} is a crash. */
    public void stop(boolean immediate) throws IOException, InterruptedException {
        if (running().isEmpty()) {
            return;
        }
        run(List.of("pg_ctl", "-D", dataDirectory.toString(), "-m", immediate ? "immediate" : "fast", "-w", "-t",
                    "60", "stop"));
    }

    /** The postmaster, while it runs. */
    public Optional<ProcessHandle> running() {
        Path pidFile = dataDirectory.resolve("postmaster.pid");
        try {
            if (!Files.exists(pidFile)) {
                return Optional.empty();
            }
            List<String> lines = Files.readAllLines(pidFile);
            if (lines.isEmpty() || lines.get(0).isBlank()) {
                return Optional.empty();
            }
            return ProcessHandle.of(Long.parseLong(lines.get(0).strip())).filter(ProcessHandle::isAlive);
        } catch (IOException | NumberFormatException unreadable) {
            return Optional.empty();
        }
    }

    public Connection connectAsSuperuser(String database) throws SQLException {
        Properties credentials = new Properties();
        credentials.setProperty("user", SUPERUSER);
        credentials.setProperty("password", superuserPassword);
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database, credentials);
    }

    private void initdb() throws IOException, InterruptedException {
        Files.createDirectories(dataDirectory);
        Files.setPosixFilePermissions(dataDirectory, PosixFilePermissions.fromString("rwx------"));
        Path initialPassword = Files.createTempFile(dataDirectory.getParent(), "initdb", ".pw",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(initialPassword, superuserPassword + "\n");
            run(List.of("initdb", "-D", dataDirectory.toString(), "-U", SUPERUSER, "--auth=scram-sha-256",
                        "--pwfile=" + initialPassword, "-E", "UTF-8", "--locale=C"));
        } finally {
            Files.deleteIfExists(initialPassword);
        }
    }

    /**
     * Every connection needs a password, whatever the cluster was created with: a data directory from before this
     * rule trusted local connections, and is brought in line here (its superuser gets the password on first start).
     */
    private void writeClientAuthentication() throws IOException, InterruptedException {
        Path hba = dataDirectory.resolve("pg_hba.conf");
        String required = """
                # Written by the launcher: every connection needs a password; loopback only.
                local  all  all                 scram-sha-256
                host   all  all  127.0.0.1/32   scram-sha-256
                host   all  all  ::1/128        scram-sha-256
                """;
        String current = Files.exists(hba) ? Files.readString(hba) : "";
        if (current.equals(required)) {
            return;
        }
        if (current.lines().anyMatch(line -> !line.startsWith("#") && line.contains("trust"))) {
            setPasswordOfTrustingCluster();
        }
        Files.writeString(hba, required);
    }

    /** A cluster that trusted local connections: start it once on a private port to give the superuser a password. */
    private void setPasswordOfTrustingCluster() throws IOException, InterruptedException {
        int privatePort = freePort();
        run(List.of("pg_ctl", "-D", dataDirectory.toString(), "-l", log.toString(), "-w", "-t", "120", "-o",
                    "-p " + privatePort + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=''", "start"));
        try (Connection connection = DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + privatePort + "/postgres", SUPERUSER, "");
             Statement sql = connection.createStatement()) {
            sql.execute("alter role " + SUPERUSER + " password '" + superuserPassword + "'");
        } catch (SQLException e) {
            throw new IOException("Could not set the superuser's password on " + dataDirectory, e);
        } finally {
            run(List.of("pg_ctl", "-D", dataDirectory.toString(), "-m", "fast", "-w", "stop"));
        }
    }

    private List<String> serverOptions() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("port", Integer.toString(port));
        settings.put("listen_addresses", "127.0.0.1");
        settings.put("unix_socket_directories", "''");
        settings.put("max_connections", "200");
        settings.put("timezone", "UTC");
        settings.put("password_encryption", "scram-sha-256");
        settings.put("fsync", durable ? "on" : "off");
        settings.put("synchronous_commit", durable ? "on" : "off");
        settings.put("full_page_writes", durable ? "on" : "off");
        // Its own log, rolled over daily or at 10 MB, one file per weekday: a week at most.
        settings.put("logging_collector", "on");
        settings.put("log_directory", "'" + log.getParent().resolve("postgres") + "'");
        settings.put("log_filename", "'postgresql-%a.log'");
        settings.put("log_truncate_on_rotation", "on");
        settings.put("log_rotation_age", "1d");
        settings.put("log_rotation_size", "10MB");
        settings.putAll(extraSettings);
        List<String> options = new ArrayList<>();
        settings.forEach((name, value) -> options.add("-c " + name + "=" + value));
        return options;
    }

    private void awaitConnection(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        SQLException last = null;
        while (System.nanoTime() < deadline) {
            try (Connection ignored = connectAsSuperuser("postgres")) {
                return;
            } catch (SQLException notYet) {
                last = notYet;
                Thread.sleep(200);
            }
        }
        throw new IOException("PostgreSQL did not accept connections within " + timeout + "; see " + log, last);
    }

    private void run(List<String> command) throws IOException, InterruptedException {
        List<String> line = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            line.addAll(List.of("unshare", "-U"));
        }
        line.add(binaries.resolve("bin").resolve(command.get(0)).toString());
        line.addAll(command.subList(1, command.size()));
        Files.createDirectories(log.getParent());
        Process process = new ProcessBuilder(line).redirectErrorStream(true)
                                                  .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                                                  .start();
        if (!process.waitFor(180, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException(command.get(0) + " did not finish within 180 s; see " + log);
        }
        if (process.exitValue() != 0) {
            throw new IOException(command.get(0) + " failed with exit code " + process.exitValue() + "; see " + log);
        }
    }

    /** Refuses a port another process listens on, so that the system never talks to a server it did not start. */
    static void requireFree(int port) {
        try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            probe.setReuseAddress(false);
        } catch (IOException taken) {
            throw new IllegalStateException("Port " + port + " is already in use by another process");
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /**
     * The binaries for this machine, unpacked once per version into the temporary directory and shared by every
     * launcher and test on the machine; a lock keeps two from unpacking at once.
     */
    private static Path unpackedBinaries() throws IOException {
        byte[] archive;
        String digest;
        try (InputStream in = DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(operatingSystem(), architecture());
             DigestInputStream digesting = new DigestInputStream(in, MessageDigest.getInstance("SHA-256"))) {
            archive = digesting.readAllBytes();
            digest = HexFormat.of().formatHex(digesting.getMessageDigest().digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
        Path root = Path.of(System.getProperty("java.io.tmpdir"), "saga-engine-postgres", digest);
        Path complete = root.resolve(".complete");
        if (Files.exists(complete)) {
            return root;
        }
        Files.createDirectories(root);
        try (FileChannel lockFile = FileChannel.open(root.resolveSibling(digest + ".lock"), StandardOpenOption.CREATE,
                                                     StandardOpenOption.WRITE);
             FileLock ignored = lockFile.lock()) {
            if (!Files.exists(complete)) {
                unpack(archive, root);
                Files.writeString(complete, "unpacked\n", StandardCharsets.UTF_8);
            }
        }
        return root;
    }

    private static void unpack(byte[] archive, Path target) throws IOException {
        try (TarArchiveInputStream tar = new TarArchiveInputStream(
                new XZInputStream(new ByteArrayInputStream(archive)))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                Path file = target.resolve(entry.getName()).normalize();
                if (!file.startsWith(target)) {
                    throw new IOException("Archive entry outside its folder: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(file);
                } else if (entry.isSymbolicLink() || entry.isLink()) {
                    Files.createDirectories(file.getParent());
                    Files.deleteIfExists(file);
                    Files.createSymbolicLink(file, Path.of(entry.getLinkName()));
                } else {
                    Files.createDirectories(file.getParent());
                    Files.copy(tar, file, StandardCopyOption.REPLACE_EXISTING);
                    if ((entry.getMode() & 0100) != 0 || entry.getName().startsWith("bin/")) {
                        file.toFile().setExecutable(true, false);
                    }
                }
            }
        }
    }

    private static String operatingSystem() {
        String name = System.getProperty("os.name").toLowerCase();
        if (name.contains("linux")) {
            return "Linux";
        }
        if (name.contains("mac")) {
            return "Darwin";
        }
        if (name.contains("windows")) {
            return "Windows";
        }
        throw new IllegalStateException("No PostgreSQL binaries for " + System.getProperty("os.name"));
    }

    private static String architecture() {
        String arch = System.getProperty("os.arch");
        return "amd64".equals(arch) ? "x86_64" : arch;
    }
}
