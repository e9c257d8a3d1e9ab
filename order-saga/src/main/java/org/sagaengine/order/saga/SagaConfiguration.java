package org.sagaengine.order.saga;

import java.time.Duration;

import javax.sql.DataSource;

import com.github.kagkarlsson.scheduler.Scheduler;
import org.axonframework.config.Configuration;
import org.axonframework.config.ConfigurationScopeAwareProvider;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.deadline.DeadlineManager;
import org.axonframework.deadline.dbscheduler.DbSchedulerDeadlineManager;
import org.axonframework.modelling.saga.repository.jdbc.PostgresSagaSqlSchema;
import org.axonframework.modelling.saga.repository.jdbc.SagaSchema;
import org.axonframework.modelling.saga.repository.jdbc.SagaSqlSchema;
import org.axonframework.serialization.Serializer;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * The saga's state and its deadlines both live in the orders database: Axon's JDBC saga store, and deadlines
 * scheduled through db-scheduler so that they survive a restart of this service.
 */
@org.springframework.context.annotation.Configuration
@EnableConfigurationProperties(SagaTimeouts.class)
class SagaConfiguration {

    @Bean
    SagaSqlSchema sagaSqlSchema() {
        return new PostgresSagaSqlSchema(new SagaSchema());
    }

    @Bean(destroyMethod = "stop")
    Scheduler deadlineScheduler(DataSource dataSource, ApplicationContext context,
                                @Value("${sagaengine.saga.deadline-polling:500ms}") Duration polling) {
        return Scheduler.create(dataSource, DbSchedulerDeadlineManager.binaryTask(
                                        () -> context.getBean(DbSchedulerDeadlineManager.class)))
                        .pollingInterval(polling)
                        .threads(2)
                        .build();
    }

    @Bean
    DeadlineManager deadlineManager(Scheduler deadlineScheduler, Configuration configuration, Serializer serializer,
                                    TransactionManager transactionManager) {
        return new TolerantDeadlineManager(
                DbSchedulerDeadlineManager.builder()
                                          .scheduler(deadlineScheduler)
                                          .scopeAwareProvider(new ConfigurationScopeAwareProvider(configuration))
                                          .serializer(serializer)
                                          .transactionManager(transactionManager)
                                          .startScheduler(true)
                                          .stopScheduler(false),
                deadlineScheduler);
    }
}
