package org.sagaengine.engine;

import javax.sql.DataSource;

import org.axonframework.common.jdbc.ConnectionProvider;
import org.axonframework.modelling.saga.repository.SagaStore;
import org.axonframework.modelling.saga.repository.jdbc.SagaSchema;
import org.axonframework.modelling.saga.repository.jdbc.SagaSqlSchema;
import org.axonframework.serialization.Serializer;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The sagas of a service with a database are kept in it, in Axon's tables, by {@link OneReadSagaStore}: Axon's JDBC
 * saga store, reading a saga with one query. A service that defines its own saga store, or its own SQL for Axon's,
 * keeps it.
 */
@AutoConfiguration(afterName = "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration",
                   beforeName = "org.axonframework.springboot.autoconfig.JdbcAutoConfiguration")
@ConditionalOnBean(DataSource.class)
public class SagaStoreConfiguration {

    @Bean
    @ConditionalOnMissingBean({SagaStore.class, SagaSqlSchema.class})
    SagaStore<Object> sagaStore(ConnectionProvider connectionProvider, Serializer serializer) {
        return OneReadSagaStore.of(connectionProvider, new SagaSchema(), serializer);
    }
}
