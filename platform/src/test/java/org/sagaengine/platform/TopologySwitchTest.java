package org.sagaengine.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.axonframework.actuator.axonserver.AxonServerHealthIndicator;
import org.axonframework.axonserver.connector.command.AxonServerCommandBus;
import org.axonframework.axonserver.connector.event.axon.AxonServerEventStore;
import org.axonframework.axonserver.connector.query.AxonServerQueryBus;
import org.axonframework.commandhandling.CommandBus;
import org.axonframework.commandhandling.distributed.DistributedCommandBus;
import org.axonframework.eventsourcing.eventstore.EmbeddedEventStore;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.extensions.springcloud.commandhandling.SpringHttpCommandBusConnector;
import org.axonframework.queryhandling.QueryBus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The topology is configuration: {@code sagaengine.topology} alone decides where events live and how commands
 * travel, and each service keeps its own database either way. A service's context is started for each topology (the
 * Axon Server one is not reached; its connection is made lazily) and the beans it wired are checked.
 */
class TopologySwitchTest {

    static EmbeddedPostgres postgres;

    @SpringBootApplication
    static class AService {
    }

    @BeforeAll
    static void databases() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
             Statement sql = connection.createStatement()) {
            sql.execute("create database own");
            sql.execute("create database events");
        }
    }

    @AfterAll
    static void stop() throws IOException {
        postgres.close();
    }

    @Test
    void embeddedByDefaultWithTheSharedJdbcEventStoreAndTheHttpCommandBus() {
        try (ConfigurableApplicationContext service = start(
                "--sagaengine.events.datasource.url=" + url("events"),
                "--sagaengine.events.datasource.username=postgres",
                "--sagaengine.node.uri=http://localhost:1")) {
            assertThat(service.getBean(EventStore.class)).isInstanceOf(EmbeddedEventStore.class);
            assertThat(service.getBean(CommandBus.class)).isInstanceOf(DistributedCommandBus.class);
            assertThat(service.getBeansOfType(SpringHttpCommandBusConnector.class)).hasSize(1);
            assertThat(service.getBeansOfType(CommandRoutingHealthIndicator.class)).hasSize(1);
            assertThat(service.getBeansOfType(EventStoreHealthIndicator.class)).hasSize(1);
            assertThat(service.getBeansOfType(AxonServerHealthIndicator.class)).isEmpty();
            assertThat(service.getEnvironment().getProperty("management.endpoint.health.group.readiness.include"))
                    .contains("eventStore", "commandRouting");
        }
    }

    @Test
    void axonServerReplacesTheEventStoreTheBusesAndTheirHealthAndNothingElse() {
        try (ConfigurableApplicationContext service = start(
                "--sagaengine.topology=axonserver",
                "--axon.axonserver.servers=localhost:1",
                // Set as a service's application.yml sets it; the switch must ignore it.
                "--sagaengine.events.datasource.url=" + url("events"))) {
            assertThat(service.getBean(EventStore.class)).isInstanceOf(AxonServerEventStore.class);
            assertThat(service.getBean(CommandBus.class)).isInstanceOf(AxonServerCommandBus.class);
            assertThat(service.getBean(QueryBus.class)).isInstanceOf(AxonServerQueryBus.class);
            assertThat(service.getBeansOfType(SpringHttpCommandBusConnector.class)).isEmpty();
            assertThat(service.getBeansOfType(CommandRoutingHealthIndicator.class)).isEmpty();
            assertThat(service.getBeansOfType(EventStoreConfiguration.EventsDatabase.class)).isEmpty();
            assertThat(service.getBeansOfType(AxonServerHealthIndicator.class)).hasSize(1);
            assertThat(service.getEnvironment().getProperty("management.endpoint.health.group.readiness.include"))
                    .contains("axonServer").doesNotContain("eventStore", "commandRouting");
            assertThat(service.getEnvironment().getProperty("spring.datasource.url"))
                    .as("the service's own database stays").isEqualTo(url("own"));
        }
    }

    @Test
    void anUnknownTopologyStopsTheServiceSayingWhatIsAllowed() {
        assertThatThrownBy(() -> start("--sagaengine.topology=kubernetes").close())
                .hasMessageContaining("sagaengine.topology must be 'embedded' or 'axonserver'");
    }

    private static ConfigurableApplicationContext start(String... arguments) {
        return TestService.start(AService.class, List.of(
                "--spring.application.name=a-service",
                "--server.port=0",
                "--server.address=127.0.0.1",
                "--spring.datasource.url=" + url("own"),
                "--spring.datasource.username=postgres",
                "--sagaengine.node.secret=test"), arguments);
    }

    private static String url(String database) {
        return "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + database;
    }
}
