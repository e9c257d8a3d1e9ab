package org.sagaengine.platform;

import java.io.IOException;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;

/** A real PostgreSQL server for a test class, with the events database's schema as the services migrate it. */
final class EventsTestDatabase {

    private EventsTestDatabase() {
    }

    /** Starts a server and migrates its database as the events database; the caller closes it. */
    static EmbeddedPostgres start() throws IOException {
        EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
        Flyway.configure().dataSource(postgres.getPostgresDatabase()).locations("classpath:db/events")
              .table("flyway_events_history").load().migrate();
        return postgres;
    }
}
