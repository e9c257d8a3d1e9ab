package org.sagaengine.engine;

import static org.assertj.core.api.Assertions.assertThat;

import javax.sql.DataSource;

import org.axonframework.common.transaction.NoTransactionManager;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.axonframework.eventsourcing.eventstore.inmemory.InMemoryEventStorageEngine;
import org.axonframework.modelling.saga.repository.SagaStore;
import org.axonframework.modelling.saga.repository.jdbc.JdbcSagaStore;
import org.axonframework.modelling.saga.repository.jdbc.PostgresSagaSqlSchema;
import org.axonframework.modelling.saga.repository.jdbc.SagaSqlSchema;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.json.JacksonSerializer;
import org.axonframework.springboot.EventProcessorProperties;
import org.axonframework.springboot.autoconfig.JdbcAutoConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * A service with a database gets the one-query saga store in place of Axon's, with Axon's own JDBC auto-configuration
 * present; one that declares its own SQL for Axon's store keeps Axon's.
 */
class SagaStoreConfigurationTest {

    private static TestDatabase database;

    /** What Axon's JDBC auto-configuration needs around the saga store; the event store is not what is tested. */
    private final ApplicationContextRunner service = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SagaStoreConfiguration.class, JdbcAutoConfiguration.class))
            .withBean(DataSource.class, () -> database.dataSource())
            .withBean("serializer", Serializer.class, JacksonSerializer::defaultSerializer,
                      definition -> definition.setPrimary(true))
            .withBean("eventSerializer", Serializer.class, JacksonSerializer::defaultSerializer)
            .withBean(EventStorageEngine.class, InMemoryEventStorageEngine::new)
            .withBean(EventProcessorProperties.class)
            .withBean(TransactionManager.class, () -> NoTransactionManager.INSTANCE);

    @BeforeAll
    static void start() throws Exception {
        database = TestDatabase.with("create table unused (id integer)");
    }

    @AfterAll
    static void stop() throws Exception {
        database.close();
    }

    @Test
    void theSagaStoreLoadsWithOneQuery() {
        service.run(context -> assertThat(context).hasNotFailed()
                                                  .getBean(SagaStore.class).isInstanceOf(OneReadSagaStore.class));
    }

    @Test
    void aServiceWithItsOwnSagaSqlKeepsAxonsStore() {
        service.withBean(SagaSqlSchema.class, PostgresSagaSqlSchema::new)
               .run(context -> assertThat(context).hasNotFailed()
                                                  .getBean(SagaStore.class).isExactlyInstanceOf(JdbcSagaStore.class));
    }
}
