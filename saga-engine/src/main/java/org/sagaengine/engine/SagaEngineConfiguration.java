package org.sagaengine.engine;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.axonframework.config.Configuration;
import org.axonframework.config.EventProcessingConfigurer;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.axonframework.eventhandling.TrackingEventProcessorConfiguration;
import org.axonframework.eventhandling.tokenstore.jdbc.JdbcTokenStore;
import org.axonframework.messaging.StreamableMessageSource;
import org.axonframework.messaging.annotation.HandlerEnhancerDefinition;
import org.axonframework.modelling.saga.AbstractSagaManager;
import org.axonframework.modelling.saga.repository.AnnotatedSagaRepository;
import org.axonframework.modelling.saga.repository.SagaStore;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.json.JacksonSerializer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Runs every {@link SagaDefinition} bean of a service on Axon: each saga type gets Axon's saga store and association
 * values, its own saga manager, and its own tracking processor, named {@code <state class>Processor}, with
 * {@code sagaengine.saga.segments} segments (2 by default) so that as many threads work on different sagas at once,
 * each handling up to {@code sagaengine.saga.batch-size} waiting events (50 by default) in one transaction. Axon
 * loads and stores a saga once per batch however many of its events the batch holds.
 * <p>
 * A saga processor starts at the beginning of the event stream, not at its head as Axon starts one by default: an
 * event that starts a saga, stored while the processor had not yet claimed its first token (the service just started,
 * Axon Server not yet reachable), would otherwise never get a saga. Reading old events again is safe: a saga that has
 * run for a key is not started again.
 * <p>
 * A service provides a {@link FailureClassifier}, and a {@link SagaProgress} unless it has a {@link JdbcClient}: then
 * the engine records progress with {@link JdbcSagaProgress}. It may route a saga type's failures to a dead-letter
 * queue of its own with {@link SagaDeadLetters}. The service's
 * {@link HandlerEnhancerDefinition} beans wrap a saga's handler as they wrap its other handlers.
 */
@AutoConfiguration(afterName = {"org.axonframework.springboot.autoconfig.AxonAutoConfiguration",
                                 "org.springframework.boot.autoconfigure.jdbc.JdbcClientAutoConfiguration"})
@EnableConfigurationProperties({SagaTimeouts.class, SagaAdmission.Limits.class})
public class SagaEngineConfiguration {

    /** Refuses new sagas of a type that is behind; {@link SagaAdmission}. */
    @Bean
    SagaAdmission sagaAdmission(SagaAdmission.Limits limits, ObjectProvider<SagaDefinition<?>> definitions,
                                org.axonframework.config.Configuration axon, ObjectProvider<SagaProgress> progress,
                                ObjectProvider<JdbcClient> jdbc) {
        Map<String, StreamPosition> positions = new LinkedHashMap<>();
        definitions.orderedStream().forEach(definition -> positions.put(definition.type(),
                                                                        position(axon, definition, jdbc)));
        SagaProgress recorded = progress.getIfAvailable();
        // Without a record of progress, only the processor's lag counts.
        return new SagaAdmission(limits, positions,
                                 type -> recorded == null ? OptionalLong.empty() : recorded.unfinished(type),
                                 type -> recorded == null ? OptionalLong.empty() : recorded.ended(type));
    }

    /** Holds a saga's deadlines while its processor is behind, for a scheduler that asks; {@link SagaDeadlineGate}. */
    @Bean
    SagaDeadlineGate sagaDeadlineGate(ObjectProvider<SagaDefinition<?>> definitions,
                                      org.axonframework.config.Configuration axon, ObjectProvider<JdbcClient> jdbc) {
        Map<String, StreamPosition> positions = new LinkedHashMap<>();
        definitions.orderedStream().forEach(definition -> positions.put(definition.stateType().getSimpleName(),
                                                                        position(axon, definition, jdbc)));
        return new SagaDeadlineGate(positions);
    }

    /**
     * Where a saga type's processor reads the event stream: in this process, and, for the segments this process does
     * not hold, in the tokens the service's database stores, when it has one.
     */
    private static StreamPosition position(org.axonframework.config.Configuration c, SagaDefinition<?> definition,
                                           ObjectProvider<JdbcClient> jdbc) {
        String name = processorName(definition);
        JdbcClient database = jdbc.getIfUnique();
        StoredPositions stored = database == null ? StoredPositions.UNKNOWN
                                 : new JdbcStoredPositions(database, () -> tokenSerializer(c, name));
        return StreamPosition.of(c::eventStore, () -> c.eventProcessingConfiguration()
                .eventProcessor(name, StreamingEventProcessor.class).orElseThrow(), stored);
    }

    /** The serializer the processor's tokens are stored with. */
    private static Serializer tokenSerializer(org.axonframework.config.Configuration c, String processorName) {
        return c.eventProcessingConfiguration().tokenStore(processorName) instanceof JdbcTokenStore jdbc
               ? jdbc.serializer() : c.serializer();
    }

    /** Progress and timeline in the service's database, when it has one and records progress no other way. */
    @org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(JdbcClient.class)
    static class JdbcProgress {

        @Bean
        @ConditionalOnBean(JdbcClient.class)
        @ConditionalOnMissingBean(SagaProgress.class)
        JdbcSagaProgress jdbcSagaProgress(JdbcClient jdbc, ObjectProvider<MeterRegistry> meters) {
            return new JdbcSagaProgress(jdbc, meters.getIfAvailable(SimpleMeterRegistry::new));
        }
    }

    /** The name of the processor that runs a saga type: Axon's own default for a saga class. */
    public static String processorName(SagaDefinition<?> definition) {
        return definition.stateType().getSimpleName() + "Processor";
    }

    @Autowired
    void registerSagas(EventProcessingConfigurer processing, ObjectProvider<SagaDefinition<?>> definitions,
                       ObjectProvider<SagaProgress> progress, ObjectProvider<FailureClassifier> failures,
                       ObjectProvider<SagaTimeouts> timeouts, ObjectProvider<HandlerEnhancerDefinition> enhancers,
                       ObjectProvider<JdbcClient> jdbc,
                       @Value("${sagaengine.saga.segments:2}") int segments,
                       @Value("${sagaengine.saga.batch-size:50}") int batchSize) {
        List<SagaDefinition<?>> all = definitions.orderedStream().toList();
        for (SagaDefinition<?> definition : all) {
            register(processing, definition, new Collaborators(progress, failures, timeouts, enhancers, jdbc), segments,
                     batchSize);
        }
    }

    /** The service's beans a saga type runs with, looked up once Axon builds the saga. */
    private record Collaborators(ObjectProvider<SagaProgress> progress, ObjectProvider<FailureClassifier> failures,
                                 ObjectProvider<SagaTimeouts> timeouts,
                                 ObjectProvider<HandlerEnhancerDefinition> enhancers,
                                 ObjectProvider<JdbcClient> jdbc) {
    }

    private static <S extends SagaInstance> void register(EventProcessingConfigurer processing,
                                                          SagaDefinition<S> definition,
                                                          Collaborators collaborators, int segments,
                                                          int batchSize) {
        LazyModel<S> model = new LazyModel<>(definition, collaborators);
        processing.registerSaga(definition.stateType(), saga -> saga
                .configureRepository(c -> AnnotatedSagaRepository.<S>builder()
                                                                  .sagaType(definition.stateType())
                                                                  .sagaModel(model.get(c))
                                                                  .sagaStore(sagaStore(c))
                                                                  .build())
                .configureSagaManager(c -> {
                    AbstractSagaManager.Builder<S> builder = new AbstractSagaManager.Builder<>() {
                    };
                    builder.sagaType(definition.stateType())
                           .sagaRepository(c.eventProcessingConfiguration()
                                            .sagaConfiguration(definition.stateType()).repository())
                           .sagaFactory(definition.newState)
                           .listenerInvocationErrorHandler(c.eventProcessingConfiguration()
                                                            .listenerInvocationErrorHandler(processorName(definition)));
                    return model.get(c).manager(builder);
                }));
        processing.registerTrackingEventProcessor(
                processorName(definition), Configuration::eventStore,
                c -> TrackingEventProcessorConfiguration.forParallelProcessing(segments)
                                                        .andInitialSegmentsCount(segments)
                                                        .andBatchSize(batchSize)
                                                        .andInitialTrackingToken(
                                                                StreamableMessageSource::createTailToken));
    }

    /** The one model of a saga type, which its repository and its manager share; built once Axon asks for it. */
    private static final class LazyModel<S extends SagaInstance> {

        private final SagaDefinition<S> definition;
        private final Collaborators collaborators;
        private DefinedSagaModel<S> model;

        LazyModel(SagaDefinition<S> definition, Collaborators collaborators) {
            this.definition = definition;
            this.collaborators = collaborators;
        }

        synchronized DefinedSagaModel<S> get(Configuration c) {
            if (model == null) {
                ObjectMapper stateMapper = c.serializer() instanceof JacksonSerializer jackson
                                           ? jackson.getObjectMapper() : SagaSpecification.stateMapper();
                model = new DefinedSagaModel<>(
                        new SagaMachine<>(definition, collaborators.timeouts().getObject(),
                                          collaborators.progress().getObject()),
                        stateMapper, c.commandGateway(), c.deadlineManager(), c.eventBus(),
                        collaborators.failures().getObject(),
                        position(c, definition, collaborators.jdbc()), new CommandsInFlight(),
                        collaborators.enhancers().orderedStream().toList());
            }
            return model;
        }
    }

    @SuppressWarnings("unchecked")
    private static <S> SagaStore<? super S> sagaStore(Configuration c) {
        return (SagaStore<? super S>) c.eventProcessingConfiguration().sagaStore();
    }
}
