package org.sagaengine.engine;

import java.lang.annotation.Annotation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.common.IdentifierFactory;
import org.axonframework.deadline.DeadlineManager;
import org.axonframework.deadline.DeadlineMessage;
import org.axonframework.eventhandling.EventBus;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventhandling.Segment;
import org.axonframework.messaging.Message;
import org.axonframework.messaging.annotation.HandlerEnhancerDefinition;
import org.axonframework.messaging.annotation.MessageHandlingMember;
import org.axonframework.modelling.saga.AbstractSagaManager;
import org.axonframework.modelling.saga.AssociationValue;
import org.axonframework.modelling.saga.SagaCreationPolicy;
import org.axonframework.modelling.saga.SagaInitializationPolicy;
import org.axonframework.modelling.saga.SagaLifecycle;
import org.axonframework.modelling.saga.metamodel.SagaMetaModelFactory;
import org.axonframework.modelling.saga.metamodel.SagaModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a saga definition on Axon's saga infrastructure: Axon stores the saga's state and associations and feeds it
 * events through a streaming processor; this model tells Axon which events and deadlines the saga handles and by which
 * key, and hands them to the engine's rules. A handler is all or nothing in memory too: the saga's state is copied
 * before it runs and put back if it fails, so an event that is dead-lettered leaves the saga as it found it.
 */
final class DefinedSagaModel<S extends SagaInstance> implements SagaModel<S> {

    private static final Logger log = LoggerFactory.getLogger(DefinedSagaModel.class);

    private final SagaMachine<S> machine;
    private final ObjectMapper stateMapper;
    private final CommandGateway commands;
    private final DeadlineManager deadlines;
    private final EventBus events;
    private final FailureClassifier failures;
    private final StreamPosition position;
    private final List<MessageHandlingMember<? super S>> handler;
    private final CommandsInFlight inFlight;

    /**
     * {@code enhancers} wrap the saga's one handler as they wrap any annotated handler of the service (a savepoint
     * per handler, say).
     */
    DefinedSagaModel(SagaMachine<S> machine, ObjectMapper stateMapper, CommandGateway commands,
                     DeadlineManager deadlines, EventBus events, FailureClassifier failures,
                     StreamPosition position, CommandsInFlight inFlight, List<HandlerEnhancerDefinition> enhancers) {
        this.machine = machine;
        this.position = position;
        this.inFlight = inFlight;
        this.stateMapper = stateMapper;
        this.commands = commands;
        this.deadlines = deadlines;
        this.events = events;
        this.failures = failures;
        MessageHandlingMember<S> member = new Handler();
        for (HandlerEnhancerDefinition enhancer : enhancers) {
            member = enhancer.wrapHandler(member);
        }
        this.handler = List.of(member);
    }

    SagaDefinition<S> definition() {
        return machine.definition();
    }

    /** The key the event names, when it is one this saga type handles; else null. */
    String keyOf(EventMessage<?> event) {
        Object payload = event.getPayload();
        if (payload == null) {
            return null;
        }
        return definition().handles(payload) ? definition().keyOf(payload) : null;
    }

    @Override
    public Optional<AssociationValue> resolveAssociation(EventMessage<?> event) {
        return Optional.ofNullable(keyOf(event))
                       .map(key -> new AssociationValue(definition().associationProperty(), key));
    }

    @Override
    public List<MessageHandlingMember<? super S>> findHandlerMethods(EventMessage<?> event) {
        return event instanceof DeadlineMessage || keyOf(event) != null ? handler : List.of();
    }

    @Override
    public SagaMetaModelFactory modelFactory() {
        return new SagaMetaModelFactory() {
            @SuppressWarnings("unchecked")
            @Override
            public <T> SagaModel<T> modelOf(Class<T> sagaType) {
                return (SagaModel<T>) DefinedSagaModel.this;
            }
        };
    }

    /** The saga manager: starts a saga on the start event, and finds the running one by key for every other. */
    AbstractSagaManager<S> manager(AbstractSagaManager.Builder<S> builder) {
        return new AbstractSagaManager<>(builder) {
            @Override
            protected SagaInitializationPolicy getSagaCreationPolicy(EventMessage<?> event) {
                String key = keyOf(event);
                if (key == null || !definition().startEvent.isInstance(event.getPayload())) {
                    return SagaInitializationPolicy.NONE;
                }
                return new SagaInitializationPolicy(
                        SagaCreationPolicy.IF_NONE_FOUND,
                        new AssociationValue(definition().associationProperty(), key));
            }

            @Override
            protected Set<AssociationValue> extractAssociationValues(EventMessage<?> event) {
                return resolveAssociation(event).map(Set::of).orElse(Set.of());
            }

            /**
             * Only the segment that owns the event's key reads it: the segment its association value hashes to, the
             * one Axon starts the key's saga in. Axon's own rule has every segment take every event and load the
             * sagas associated with it, to keep those whose identifier hashes to the segment: one lookup and one
             * transaction per segment for each event, all but one of them for nothing.
             */
            @Override
            public boolean canHandle(EventMessage<?> event, Segment segment) {
                return resolveAssociation(event).map(segment::matches).orElse(false);
            }

            @Override
            public void handle(EventMessage<?> event, Segment segment) throws Exception {
                if (canHandle(event, segment)) {
                    super.handle(event, segment);
                }
            }

            /**
             * Every saga found by the key of an event this segment owns is this segment's, whatever its identifier:
             * so the key's sagas stay with one segment when segments are split or merged, and a saga started outside
             * a segment (a retried dead letter) is found too.
             */
            @Override
            protected boolean matchesSegment(Segment segment, String sagaId) {
                return true;
            }

            /**
             * A new saga's identifier still hashes to the segment that started it, as Axon's do: a version of this
             * service that routes by identifier, running next to this one, hands the saga the same events.
             */
            @Override
            protected String createSagaIdentifier(Segment segment) {
                String identifier;
                do {
                    identifier = IdentifierFactory.getInstance().generateIdentifier();
                } while (!segment.matches(identifier));
                return identifier;
            }
        };
    }

    private void handle(Message<?> message, S saga) throws Exception {
        byte[] before = stateMapper.writeValueAsBytes(saga);
        AxonEffects effects = new AxonEffects();
        try {
            if (message instanceof DeadlineMessage<?> deadline) {
                machine.onDeadline(saga, deadline.getDeadlineName(), effects);
            } else {
                machine.on(saga, message.getPayload(), effects);
            }
        } catch (Exception | Error failure) {
            stateMapper.readerForUpdating(saga).readValue(before);
            effects.undo();
            throw failure;
        }
        effects.done();
    }

    /** A deadline a handler scheduled or cancelled. */
    private record Deadline(String name, String id) {
    }

    /**
     * The world as Axon gives it: its deadline manager in the saga's scope, its gateway, its saga lifecycle.
     * <p>
     * A handler's deadlines change with the saga's state or not at all. Axon's deadline manager writes at the unit of
     * work's prepare-commit, and the unit of work commits when a saga handler fails (its event becomes a dead letter;
     * the rest of the batch goes on), while the saga's state goes back to what it was. So the deadlines a handler
     * cancels are cancelled only once it has succeeded, and those it scheduled are cancelled again if it fails:
     * otherwise a handler that cancelled the step's deadline to compensate, and then failed to record it, would leave
     * the saga at its step with no deadline, and a saga whose dead letter nobody retries would never time out.
     */
    private final class AxonEffects implements SagaMachine.Effects {

        private final List<Deadline> scheduled = new ArrayList<>();
        private final List<Deadline> cancelled = new ArrayList<>();

        @Override
        public String schedule(Duration in, String deadlineName) {
            String id = deadlines.schedule(in, deadlineName);
            scheduled.add(new Deadline(deadlineName, id));
            return id;
        }

        @Override
        public void cancel(String deadlineName, String deadlineId) {
            cancelled.add(new Deadline(deadlineName, deadlineId));
        }

        /** The handler succeeded: the deadlines it cancelled go. */
        void done() {
            cancelled.forEach(deadline -> deadlines.cancelSchedule(deadline.name(), deadline.id()));
        }

        /** The handler failed: the deadlines it scheduled go, and those it cancelled stay, as the saga's state does. */
        void undo() {
            scheduled.forEach(deadline -> deadlines.cancelSchedule(deadline.name(), deadline.id()));
        }

        /**
         * Sends without waiting. A command that is still on its way (queued, or sent and not yet answered) is not
         * sent again: a retry that falls due while the system is slow must not add to what makes it slow.
         */
        @Override
        public void send(SagaMachine.Outgoing outgoing) {
            String command = outgoing.command().getClass().getSimpleName();
            if (!inFlight.start(outgoing.sagaType(), outgoing.sagaKey(), outgoing.step(), outgoing.item(), command)) {
                log.debug("{} {}: {} for {} is still on its way; not sent again", outgoing.sagaType(),
                          outgoing.sagaKey(), command, outgoing.item());
                return;
            }
            commands.send(outgoing.command()).whenComplete((result, failure) -> {
                inFlight.end(outgoing.sagaType(), outgoing.sagaKey(), outgoing.step(), outgoing.item(), command);
                if (failure == null) {
                    return;
                }
                log.warn("{} {}: {} for {} failed: {}", outgoing.sagaType(), outgoing.sagaKey(), command,
                         outgoing.item(), failure.toString());
                events.publish(GenericEventMessage.asEventMessage(new ParticipantCommandFailed(
                        outgoing.sagaType(), outgoing.sagaKey(), outgoing.step(), outgoing.item(),
                        outgoing.compensation(), command, failures.isRefusal(failure),
                        failures.isUnknownTarget(failure), failures.reason(failure))));
            });
        }

        @Override
        public boolean stillSending(String sagaType, String sagaKey, String step) {
            return inFlight.any(sagaType, sagaKey, step);
        }

        @Override
        public void end() {
            SagaLifecycle.end();
        }

        /** For a deadline that {@link SagaDeadlineGate} held, the position it was held for. */
        @Override
        public OptionalLong storedUpTo() {
            OptionalLong held = SagaDeadlineGate.waitedFor();
            return held.isPresent() ? held : position.storedUpTo();
        }

        @Override
        public boolean hasRead(long position) {
            return DefinedSagaModel.this.position.hasRead(position);
        }
    }

    /** The one handler Axon sees: every event and deadline of the saga goes to the engine's rules. */
    private final class Handler implements MessageHandlingMember<S> {

        @Override
        public Class<?> payloadType() {
            return Object.class;
        }

        @Override
        public boolean canHandle(Message<?> message) {
            return message instanceof DeadlineMessage
                    || (message instanceof EventMessage<?> event && keyOf(event) != null);
        }

        @SuppressWarnings("rawtypes")
        @Override
        public boolean canHandleMessageType(Class<? extends Message> messageType) {
            return EventMessage.class.isAssignableFrom(messageType);
        }

        @Override
        public Object handle(Message<?> message, S target) throws Exception {
            DefinedSagaModel.this.handle(message, target);
            return null;
        }

        @Override
        public <H> Optional<H> unwrap(Class<H> handlerType) {
            return handlerType.isInstance(this) ? Optional.of(handlerType.cast(this)) : Optional.empty();
        }

        @Override
        public Class<?> declaringClass() {
            return definition().stateType();
        }

        @Override
        public String signature() {
            return definition().type() + " saga";
        }

        @Deprecated
        @Override
        public boolean hasAnnotation(Class<? extends Annotation> annotationType) {
            return false;
        }

        @Deprecated
        @Override
        public Optional<Map<String, Object>> annotationAttributes(Class<? extends Annotation> annotationType) {
            return Optional.empty();
        }
    }
}
