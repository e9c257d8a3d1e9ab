package org.sagaengine.order.saga;

import java.time.Duration;

import javax.sql.DataSource;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.task.Task;
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
import org.axonframework.serialization.Serializer;
import org.sagaengine.engine.FailureClassifier;
import org.sagaengine.engine.HeldDeadlineTask;
import org.sagaengine.engine.SagaDeadLetters;
import org.sagaengine.engine.SagaDeadlineGate;
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
import org.springframework.jdbc.datasource.TransactionAwareDataSourceProxy;

/**
 * The order and return sagas. Their state, their deadlines and their dead letters all live in the orders database:
 * Axon's JDBC saga store, deadlines scheduled through db-scheduler so that they survive a restart of this service
 * (written in the transaction that stores the saga, and held there, without loading their saga, while its processor is
 * behind: {@link HeldDeadlineTask}), and per saga type a dead-letter queue of Axon's kind that the saga's processor
 * feeds through {@link SagaDeadLetters}.
 */
@org.springframework.context.annotation.Configuration
class SagaConfiguration {

    static final String SAGA_PROCESSOR = SagaEngineConfiguration.processorName(OrderSaga.DEFINITION);
    static final String RETURN_SAGA_PROCESSOR = SagaEngineConfiguration.processorName(ReturnSaga.DEFINITION);

    @Bean
    SagaDefinition<OrderSaga> orderSaga() {
        return OrderSaga.DEFINITION;
    }

    @Bean
    SagaDefinition<ReturnSaga> returnSaga() {
        return ReturnSaga.DEFINITION;
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

    @Bean(destroyMethod = "stop")
    Scheduler deadlineScheduler(DataSource dataSource, ApplicationContext context,
                                @Value("${sagaengine.saga.deadline-polling:500ms}") Duration polling) {
        return deadlineScheduler(dataSource, new HeldDeadlineTask(
                                         DbSchedulerDeadlineManager.binaryTask(
                                                 () -> context.getBean(DbSchedulerDeadlineManager.class)),
                                         () -> context.getBean(SagaDeadlineGate.class),
                                         () -> context.getBean(Serializer.class)),
                                 polling);
    }

    /**
     * The scheduler of the sagas' deadlines, on the orders database. It takes part in the transaction the caller runs
     * in: a saga's deadlines are scheduled and cancelled in the transaction that stores the saga, and commit or roll
     * back with it. Outside a transaction (the scheduler's own polling and executions) each statement commits at once.
     */
    static Scheduler deadlineScheduler(DataSource dataSource, Task<?> deadlines, Duration polling) {
        return Scheduler.create(new TransactionAwareDataSourceProxy(dataSource), deadlines)
                        .pollingInterval(polling)
                        .threads(2)
                        .build();
    }

    @Bean
    DeadlineManager deadlineManager(Scheduler deadlineScheduler, DataSource dataSource, Configuration configuration,
                                    Serializer serializer, TransactionManager transactionManager) {
        return new TolerantDeadlineManager(
                DbSchedulerDeadlineManager.builder()
                                          .scheduler(deadlineScheduler)
                                          .scopeAwareProvider(new ConfigurationScopeAwareProvider(configuration))
                                          .serializer(serializer)
                                          .transactionManager(transactionManager)
                                          .startScheduler(true)
                                          .stopScheduler(false),
                dataSource);
    }

    @Bean
    SagaDeadLetters sagaDeadLetters(DeadLetterStore store) {
        return store.deadLettersOf(OrderSaga.DEFINITION);
    }

    @Bean
    SagaDeadLetters returnSagaDeadLetters(DeadLetterStore store) {
        return store.deadLettersOf(ReturnSaga.DEFINITION);
    }

    @Bean
    DeadLetterStore sagaDeadLetterStore(ConnectionProvider connections, TransactionManager transactionManager,
                                        DeadLetterSchema schema, Serializer serializer,
                                        @Qualifier("eventSerializer") Serializer eventSerializer,
                                        ObjectProvider<EventProcessingConfiguration> processing) {
        return new DeadLetterStore(connections, transactionManager, schema, serializer, eventSerializer, processing);
    }

    @Bean
    DeadLetterChannel sagaDeadLetterChannel(@Qualifier("sagaDeadLetters") SagaDeadLetters deadLetters) {
        return new DeadLetterChannel(SAGA_PROCESSOR, deadLetters.queue(), deadLetters);
    }

    @Bean
    DeadLetterChannel returnSagaDeadLetterChannel(@Qualifier("returnSagaDeadLetters") SagaDeadLetters deadLetters) {
        return new DeadLetterChannel(RETURN_SAGA_PROCESSOR, deadLetters.queue(), deadLetters);
    }

    @Autowired
    void routeSagaFailuresToDeadLetters(EventProcessingConfigurer processing,
                                        @Qualifier("sagaDeadLetters") ObjectProvider<SagaDeadLetters> orders,
                                        @Qualifier("returnSagaDeadLetters") ObjectProvider<SagaDeadLetters> returns) {
        SagaDeadLetters.routeFailures(processing, OrderSaga.DEFINITION, orders::getObject);
        SagaDeadLetters.routeFailures(processing, ReturnSaga.DEFINITION, returns::getObject);
    }

    /** Builds the dead-letter queue of a saga type, in the orders database, keyed by the saga's key. */
    record DeadLetterStore(ConnectionProvider connections, TransactionManager transactionManager,
                           DeadLetterSchema schema, Serializer serializer, Serializer eventSerializer,
                           ObjectProvider<EventProcessingConfiguration> processing) {

        SagaDeadLetters deadLettersOf(SagaDefinition<?> definition) {
            JdbcSequencedDeadLetterQueue<EventMessage<?>> queue =
                    JdbcSequencedDeadLetterQueue.<EventMessage<?>>builder()
                                                .processingGroup(SagaEngineConfiguration.processorName(definition))
                                                .connectionProvider(connections)
                                                .transactionManager(transactionManager)
                                                .schema(schema)
                                                .genericSerializer(serializer)
                                                .eventSerializer(eventSerializer)
                                                .build();
            return SagaDeadLetters.of(definition, queue, transactionManager, processing::getObject);
        }
    }
}
