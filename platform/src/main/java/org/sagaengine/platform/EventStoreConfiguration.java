package org.sagaengine.platform;

import java.time.Duration;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import org.axonframework.common.jdbc.PersistenceExceptionResolver;
import org.axonframework.eventsourcing.eventstore.jpa.SQLStateResolver;
import org.axonframework.config.Configuration;
import org.axonframework.eventhandling.EventBusSpanFactory;
import org.axonframework.eventsourcing.eventstore.EmbeddedEventStore;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;
import org.axonframework.serialization.Serializer;
import org.axonframework.spring.jdbc.SpringDataSourceConnectionProvider;
import org.axonframework.spring.messaging.unitofwork.SpringTransactionManager;
import org.flywaydb.core.Flyway;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/**
 * The embedded topology's event store: Axon's JDBC storage engine on the one PostgreSQL database all services share,
 * the role Axon Server's event store plays when distributed. Everything else a service keeps stays in its own database.
 * <p>
 * Only in the embedded topology ({@code sagaengine.topology=embedded}, the default); with Axon Server, Axon's own
 * auto-configuration provides Axon Server's event store.
 * <p>
 * The events database is deliberately not a {@link DataSource} bean: the service's own database stays the only one
 * Spring Boot, Flyway and Axon's token and saga stores see.
 */
@AutoConfiguration(beforeName = "org.axonframework.springboot.autoconfig.JdbcAutoConfiguration")
@ConditionalOnExpression("'${sagaengine.topology:embedded}' == 'embedded' && '${sagaengine.events.datasource.url:}' != ''")
@EnableConfigurationProperties(EventStoreConfiguration.EventStoreProperties.class)
public class EventStoreConfiguration {

    @ConfigurationProperties("sagaengine.events")
    /**
     * @param fetchDelay how long the event store waits before it polls again when it has read everything; with
     *                   {@code listen} on, only events whose notification was lost wait that long
     * @param listen     hear of events appended by other services at once ({@link EventAppendListener})
     * @param listenInterval while appends keep coming, the time between two reads on hearing of them, once a burst
     *                   is spent: appends in quick succession are read together, in one batch
     * @param listenBurst how many reads in a row, on hearing of appends, go at once before the interval holds them
     *                   back: a saga's chain of steps, one append each, is read without delay
     */
    public record EventStoreProperties(DataSourceSettings datasource, Duration fetchDelay, Boolean listen,
                                       Duration listenInterval, Integer listenBurst) {
        public EventStoreProperties {
            listen = listen == null || listen;
            listenInterval = listenInterval == null ? Duration.ofMillis(20) : listenInterval;
            listenBurst = listenBurst == null ? 10 : listenBurst;
            fetchDelay = fetchDelay != null ? fetchDelay : listen ? Duration.ofSeconds(1) : Duration.ofMillis(50);
        }
    }

    public record DataSourceSettings(String url, String username, String password, Integer maximumPoolSize) {
    }

    /** Holds the events database's pool so that it is closed with the application, without being a DataSource bean. */
    public record EventsDatabase(HikariDataSource dataSource) implements AutoCloseable {
        @Override
        public void close() {
            dataSource.close();
        }
    }

    @Bean(destroyMethod = "close")
    EventsDatabase eventsDatabase(EventStoreProperties properties) {
        DataSourceSettings settings = properties.datasource();
        HikariDataSource dataSource = new HikariDataSource();
        dataSource.setPoolName("events");
        dataSource.setJdbcUrl(settings.url());
        dataSource.setUsername(settings.username());
        dataSource.setPassword(settings.password());
        dataSource.setMaximumPoolSize(settings.maximumPoolSize() == null ? 10 : settings.maximumPoolSize());
        Flyway.configure()
              .dataSource(dataSource)
              .locations("classpath:db/events")
              .table("flyway_events_history")
              .load()
              .migrate();
        return new EventsDatabase(dataSource);
    }

    @Bean
    EventStorageEngine eventStorageEngine(EventsDatabase events,
                                          Serializer serializer,
                                          @Qualifier("eventSerializer") Serializer eventSerializer) {
        DataSource dataSource = events.dataSource();
        // 23505 is unique_violation: two appends at the same aggregate sequence number are a concurrency conflict.
        PersistenceExceptionResolver duplicateKeys = new SQLStateResolver("23505");
        return new TailingEventStorageEngine(
                JdbcEventStorageEngine.builder()
                                      .connectionProvider(new SpringDataSourceConnectionProvider(dataSource))
                                      .transactionManager(new ReadsOutsideTransactions(
                                              new SpringTransactionManager(
                                                      new DataSourceTransactionManager(dataSource))))
                                      .persistenceExceptionResolver(duplicateKeys)
                                      .snapshotSerializer(serializer)
                                      .eventSerializer(eventSerializer)
                                      .dataType(byte[].class));
    }

    /**
     * Processors see events appended by other processes when the store hears of them ({@link EventAppendListener}),
     * or else at its next poll: the fetch delay bounds how late.
     */
    @Bean
    EventStore eventStore(EventStorageEngine storageEngine, EventStoreProperties properties, Configuration configuration) {
        return new ListeningEventStore(EmbeddedEventStore.builder()
                                                         .storageEngine(storageEngine)
                                                         .fetchDelay(properties.fetchDelay().toMillis())
                                                         .messageMonitor(configuration.messageMonitor(
                                                                 EventStore.class, "eventStore"))
                                                         .spanFactory(configuration.getComponent(
                                                                 EventBusSpanFactory.class)));
    }

    @Bean
    @ConditionalOnProperty(name = "sagaengine.events.listen", havingValue = "true", matchIfMissing = true)
    EventAppendListener eventAppendListener(EventsDatabase events, EventStore eventStore,
                                            EventStoreProperties properties) {
        return new EventAppendListener(events.dataSource(), ((ListeningEventStore) eventStore)::appendedElsewhere,
                                       properties.listenInterval(), properties.listenBurst());
    }

    @Bean
    EventStoreHealthIndicator eventStoreHealthIndicator(EventsDatabase events) {
        return new EventStoreHealthIndicator(events);
    }
}
