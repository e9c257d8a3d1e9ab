package org.sagaengine.platform;

import java.sql.Connection;

import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;

/**
 * Health {@code eventStore}: whether the shared events database answers. Its pool is not a {@code DataSource} bean,
 * so Spring Boot's database health covers only the service's own database.
 */
class EventStoreHealthIndicator extends AbstractHealthIndicator {

    private final EventStoreConfiguration.EventsDatabase events;

    EventStoreHealthIndicator(EventStoreConfiguration.EventsDatabase events) {
        super("The events database does not answer");
        this.events = events;
    }

    @Override
    protected void doHealthCheck(Health.Builder health) throws Exception {
        try (Connection connection = events.dataSource().getConnection()) {
            health.withDetail("database", connection.getCatalog());
            if (connection.isValid(2)) {
                health.up();
            } else {
                health.down();
            }
        }
    }
}
