package org.sagaengine.engine;

import java.io.IOException;

import javax.sql.DataSource;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.springframework.jdbc.core.simple.JdbcClient;

/** A real PostgreSQL server for one test class, with the tables it needs. */
final class TestDatabase implements AutoCloseable {

    private final EmbeddedPostgres postgres;
    final JdbcClient jdbc;

    private TestDatabase(EmbeddedPostgres postgres) {
        this.postgres = postgres;
        this.jdbc = JdbcClient.create(postgres.getPostgresDatabase());
    }

    static TestDatabase with(String tables) throws IOException {
        TestDatabase database = new TestDatabase(EmbeddedPostgres.builder().start());
        database.jdbc.sql(tables).update();
        return database;
    }

    DataSource dataSource() {
        return postgres.getPostgresDatabase();
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }
}
