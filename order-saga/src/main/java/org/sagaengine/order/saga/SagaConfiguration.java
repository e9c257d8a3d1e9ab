package org.sagaengine.order.saga;

import java.time.Duration;

import javax.sql.DataSource;

import com.github.kagkarlsson.scheduler.Scheduler;
import org.axonframework.common.jdbc.ConnectionProvider;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.config.ConfigurationScopeAwareProvider;
import org.axonframework.config.Configuration;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.config.EventProcessingConfigurer;
import org.axonframework.deadline.DeadlineManager;
import org.axonframework.deadline.dbscheduler.DbSchedulerDeadlineManager;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.deadletter.jdbc.DeadLetterSchema;
import org.axonframework.eventhandling.deadletter.jdbc.JdbcSequencedDeadLetterQueue;
import org.axonframework.modelling.saga.repository.jdbc.PostgresSagaSqlSchema;
import org.axonframework.modelling.saga.repository.jdbc.SagaSchema;
import org.axonframework.modelling.saga.repository.jdbc.SagaSqlSchema;
import org.axonframework.serialization.Serializer;
import org.sagaengine.engine.FailureClassifier;
import org.sagaengine.engine.SagaDefinition;
import org.sagaengine.engine.SagaEngineConfiguration;
import org.sagaengine.platform.CommandGatewayConfiguration;
import org.sagaengine.platform.deadletter.DeadLetterChannel;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * The saga's state, its deadlines and its dead letters all live in the orders database: Axon's JDBC saga store,
 * deadlines scheduled through db-scheduler so that they survive a restart of this service, and a dead-letter queue of
 * Axon's kind that the saga's processor feeds through {@link SagaDeadLetters}.
 */
@org.springframework.context.annotation.Configuration
class SagaConfiguration {

    static final String SAGA_PROCESSOR = SagaEngineConfiguration.processorName(OrderSaga.DEFINITION);

    @Bean
    SagaDefinition<OrderSaga> orderSaga() {
        return OrderSaga.DEFINITION;
    }

    /** A participant's refusal is told from a transient failure as the command gateway tells it. */
    @Bean
    FailureClassifier failureClassifier() {
        return new FailureClassifier() {
            @Override
            public boolean isRefusal(Throwable failure) {
                return CommandGatewayConfiguration.isRefusal(failure);
            }

            @Override
            public boolean isUnknownTarget(Throwable failure) {
                return CommandGatewayConfiguration.isUnknownTarget(failure);
            }

            @Override
            public String reason(Throwable failure) {
                return CommandGatewayConfiguration.reason(failure);
            }
        };
    }

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

    @Bean
    SagaDeadLetters sagaDeadLetters(ConnectionProvider connections, TransactionManager transactionManager,
                                    DeadLetterSchema schema, Serializer serializer,
                                    @Qualifier("eventSerializer") Serializer eventSerializer,
                                    ObjectProvider<EventProcessingConfiguration> processing) {
        JdbcSequencedDeadLetterQueue<EventMessage<?>> queue =
                JdbcSequencedDeadLetterQueue.<EventMessage<?>>builder()
                                            .processingGroup(SAGA_PROCESSOR)
                                            .connectionProvider(connections)
                                            .transactionManager(transactionManager)
                                            .schema(schema)
                                            .genericSerializer(serializer)
                                            .eventSerializer(eventSerializer)
                                            .build();
        return new SagaDeadLetters(queue, transactionManager, OrderSaga.DEFINITION::keyOf,
                                   () -> processing.getObject().sagaConfiguration(OrderSaga.class).manager());
    }

    @Bean
    DeadLetterChannel sagaDeadLetterChannel(SagaDeadLetters sagaDeadLetters) {
        return new DeadLetterChannel(SAGA_PROCESSOR, sagaDeadLetters.queue(), sagaDeadLetters);
    }

    @Autowired
    void routeSagaFailuresToDeadLetters(EventProcessingConfigurer processing,
                                        ObjectProvider<SagaDeadLetters> sagaDeadLetters) {
        processing.registerListenerInvocationErrorHandler(SAGA_PROCESSOR, configuration -> sagaDeadLetters.getObject())
                  .registerHandlerInterceptor(SAGA_PROCESSOR, configuration -> sagaDeadLetters.getObject());
    }
}
