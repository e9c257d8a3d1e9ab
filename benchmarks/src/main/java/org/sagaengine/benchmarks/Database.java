package org.sagaengine.benchmarks;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

import org.postgresql.xa.PGXADataSource;
import org.sagaengine.launcher.PostgresServer;

/**
 * One PostgreSQL server of its own, from the same Maven-delivered binaries the launcher runs, durable (fsync and
 * synchronous commit on, as the launcher runs the saga system's), holding one database. Each of the benchmark's
 * databases gets a server, so that one can be stopped alone.
 */
final class Database implements AutoCloseable {

    private final PostgresServer server;
    private final String name;

    private Database(PostgresServer server, String name) {
        this.server = server;
        this.name = name;
        // A lab stopped half way (Ctrl-C) leaves no server running behind it.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.stop(true);
            } catch (Exception ignored) {
                // Stopped already.
            }
        }));
    }

    static Database start(Path directory, String name, Map<String, String> settings)
            throws IOException, InterruptedException, SQLException {
        PostgresServer server = PostgresServer.prepare(directory.resolve(name), directory.resolve(name + ".password"),
                                                       directory.resolve("logs").resolve(name + ".log"), freePort(),
                                                       true);
        settings.forEach(server::set);
        server.start();
        try (Connection admin = server.connectAsSuperuser("postgres"); Statement sql = admin.createStatement()) {
            sql.execute("create database " + name);
        }
        return new Database(server, name);
    }

    String name() {
        return name;
    }

    Connection connect() throws SQLException {
        return server.connectAsSuperuser(name);
    }

    PGXADataSource xaDataSource() {
        PGXADataSource source = new PGXADataSource();
        source.setServerNames(new String[] {"127.0.0.1"});
        source.setPortNumbers(new int[] {server.port()});
        source.setDatabaseName(name);
        source.setUser("postgres");
        source.setPassword(server.superuserPassword());
        return source;
    }

    /** Transactions prepared and neither committed nor rolled back yet: in doubt, holding their locks. */
    long preparedTransactions() {
        try (Connection connection = connect(); Statement sql = connection.createStatement();
             ResultSet count = sql.executeQuery("select count(*) from pg_prepared_xacts where database = current_database()")) {
            count.next();
            return count.getLong(1);
        } catch (SQLException down) {
            return 0;
        }
    }

    boolean running() {
        return server.running().isPresent();
    }

    /** A fast shutdown: open sessions are ended, prepared transactions stay. */
    void stop() throws IOException, InterruptedException {
        server.stop(false);
    }

    void start() throws IOException, InterruptedException {
        server.start();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        server.stop(true);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
