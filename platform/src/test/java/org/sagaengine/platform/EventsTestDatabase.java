package org.sagaengine.platform;

import javax.sql.DataSource;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real PostgreSQL server for a test class, with the events database's schema as the services migrate it: started
 * before the class's tests, stopped after them. Register it as a static field with {@code @RegisterExtension}.
 */
final class EventsTestDatabase implements BeforeAllCallback, AfterAllCallback {

    private EmbeddedPostgres postgres;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        Flyway.configure().dataSource(postgres.getPostgresDatabase()).locations("classpath:db/events")
              .table("flyway_events_history").load().migrate();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        postgres.close();
    }

    /** The events database. */
    DataSource dataSource() {
        return postgres.getPostgresDatabase();
    }

    /** The events database's JDBC URL, for the user {@code postgres}. */
    String url() {
        return postgres.getJdbcUrl("postgres", "postgres");
    }
}
