package org.sagaengine.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.axonframework.commandhandling.CommandBus;
import org.axonframework.commandhandling.CommandCallback;
import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.commandhandling.GenericCommandResultMessage;
import org.axonframework.commandhandling.gateway.DefaultCommandGateway;
import org.axonframework.common.Registration;
import org.axonframework.deadline.DeadlineManager;
import org.axonframework.deadline.DeadlineMessage;
import org.axonframework.deadline.GenericDeadlineMessage;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventhandling.PropagatingErrorHandler;
import org.axonframework.eventhandling.Segment;
import org.axonframework.eventhandling.SimpleEventBus;
import org.axonframework.messaging.MessageDispatchInterceptor;
import org.axonframework.messaging.MessageHandler;
import org.axonframework.messaging.MessageHandlerInterceptor;
import org.axonframework.messaging.ScopeDescriptor;
import org.axonframework.messaging.unitofwork.DefaultUnitOfWork;
import org.axonframework.modelling.saga.AbstractSagaManager;
import org.axonframework.modelling.saga.repository.AnnotatedSagaRepository;
import org.axonframework.modelling.saga.repository.inmemory.InMemorySagaStore;

/**
 * A specification kit for saga definitions: given these events, when this happens, expect these commands, deadlines
 * and steps. It runs the definition on Axon's own saga manager and repository, with an in-memory saga store, a
 * recording command bus, and deadlines on a clock the specification moves.
 * <pre>{@code
 * SagaSpecification.of(TRIP)
 *     .given(new TripPlanned("t1", ...))
 *     .when(new FlightBooked("t1"))
 *     .expectCommands(new BookHotel("t1", ...))
 *     .expectScheduledDeadline("hotel-deadline");
 * }</pre>
 */
public final class SagaSpecification<S extends SagaInstance> {

    /** Thrown by the kit's participants to refuse a command, as a business decision. */
    public static final class Refusal extends RuntimeException {
        private final boolean unknownTarget;

        Refusal(String reason, boolean unknownTarget) {
            super(reason, null, false, false);
            this.unknownTarget = unknownTarget;
        }
    }

    private record Scheduled(String id, String name, Instant due, ScopeDescriptor scope) {
    }

    private record Sent(Object command, CommandCallback<Object, Object> callback) {
    }

    /** One entry of a saga's timeline, as the kit recorded it. */
    public record Noted(SagaProgress.Entry kind, String name, String detail) {
    }

    private final SagaDefinition<S> definition;
    private final AbstractSagaManager<S> manager;
    private final RecordedProgress progress = new RecordedProgress();
    private final List<Sent> sent = new ArrayList<>();
    private final List<Object> published = new ArrayList<>();
    private final Map<String, Scheduled> deadlines = new LinkedHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private Instant now = Instant.parse("2030-01-01T00:00:00Z");
    private int sentBefore;
    /** How many events the saga's processor has read, and whether one more is stored that it has not. */
    private long read;
    private boolean behind;
    /** The segments events are handed to, as the saga's processor has them: one, the whole stream, by default. */
    private List<Segment> segments = List.of(Segment.ROOT_SEGMENT);

    private SagaSpecification(SagaDefinition<S> definition, SagaTimeouts timeouts) {
        this.definition = definition;
        SimpleEventBus events = SimpleEventBus.builder().build();
        events.subscribe(batch -> batch.forEach(event -> published.add(event.getPayload())));
        DefinedSagaModel<S> model = new DefinedSagaModel<>(
                new SagaMachine<>(definition, timeouts, progress), stateMapper(),
                DefaultCommandGateway.builder().commandBus(new RecordingCommandBus()).build(),
                new ClockedDeadlines(), events, new KitFailures(), new KitPosition(), CommandsInFlight.UNTRACKED,
                List.of());
        AnnotatedSagaRepository<S> repository = AnnotatedSagaRepository.<S>builder()
                                                                       .sagaType(definition.stateType())
                                                                       .sagaModel(model)
                                                                       .sagaStore(new InMemorySagaStore())
                                                                       .build();
        AbstractSagaManager.Builder<S> builder = new AbstractSagaManager.Builder<>() {
        };
        builder.sagaType(definition.stateType())
               .sagaRepository(repository)
               .sagaFactory(definition.newState)
               .listenerInvocationErrorHandler(PropagatingErrorHandler.instance());
        this.manager = model.manager(builder);
    }

    /** A specification of the definition with the engine's default timeouts. */
    public static <S extends SagaInstance> SagaSpecification<S> of(SagaDefinition<S> definition) {
        return new SagaSpecification<>(definition, new SagaTimeouts(null, null, null));
    }

    public static <S extends SagaInstance> SagaSpecification<S> of(SagaDefinition<S> definition,
                                                                   SagaTimeouts timeouts) {
        return new SagaSpecification<>(definition, timeouts);
    }

    /** A participant's refusal, for {@link #whenFails}: a business decision no retry changes. */
    public static Throwable refusal(String reason) {
        return new Refusal(reason, false);
    }

    /** A participant that knows no such target, for {@link #whenFails}. */
    public static Throwable unknownTarget() {
        return new Refusal("no such target", true);
    }

    /** A failure that may go away on a second try (the participant unreachable), for {@link #whenFails}. */
    public static Throwable unreachable() {
        return new IllegalStateException("the participant could not be reached");
    }

    /**
     * Events reach the saga as they do through a streaming processor of {@code count} segments (a power of two): each
     * is offered to every segment, and handed to those that say they handle it. An event the saga type handles must
     * go to exactly one segment, and the saga must behave as with one.
     */
    public SagaSpecification<S> inSegments(int count) {
        if (count < 1 || Integer.bitCount(count) != 1) {
            throw new IllegalArgumentException("A processor's segments split in two: 1, 2, 4, ... segments, not "
                                                       + count);
        }
        List<Segment> split = List.of(Segment.ROOT_SEGMENT);
        while (split.size() < count) {
            split = split.stream().flatMap(segment -> Arrays.stream(segment.split())).toList();
        }
        segments = split;
        return this;
    }

    // ---- given and when ----

    /** Events that happened before; what they sent is not what the next expectations look at. */
    public SagaSpecification<S> given(Object... events) {
        for (Object event : events) {
            deliver(event);
        }
        return when();
    }

    /** An event reaches the saga; each event is delivered once unless the specification delivers it again. */
    public SagaSpecification<S> when(Object... events) {
        sentBefore = sent.size();
        for (Object event : events) {
            deliver(event);
        }
        return this;
    }

    /** Time passes: every deadline and retry due by then fires, in the order they fall due. */
    public SagaSpecification<S> whenTimeElapses(Duration elapsed) {
        when();
        Instant until = now.plus(elapsed);
        Optional<Scheduled> next;
        while ((next = deadlines.values().stream().filter(d -> !d.due().isAfter(until))
                                .min(Comparator.comparing(Scheduled::due))).isPresent()) {
            Scheduled due = next.get();
            deadlines.remove(due.id());
            now = due.due();
            DeadlineMessage<?> message = GenericDeadlineMessage.asDeadlineMessage(due.name(), null, now);
            inUnitOfWork(message, () -> manager.send(message, due.scope()));
            deliverPublished();
        }
        now = until;
        return this;
    }

    /**
     * The saga's processor falls behind: an event is stored that it has not read yet (a reply, say, on a busy
     * system). Deadlines that fall due from now on wait for it.
     */
    public SagaSpecification<S> whenProcessorFallsBehind() {
        when();
        behind = true;
        return this;
    }

    /** The processor reads what it had not: {@code events} reach the saga, then it is up to date again. */
    public SagaSpecification<S> whenProcessorCatchesUp(Object... events) {
        when();
        behind = false;
        read++;
        for (Object event : events) {
            deliver(event);
        }
        return this;
    }

    /** Every command of this type sent so far fails with {@code failure}, as after the gateway's retries. */
    public SagaSpecification<S> whenFails(Class<?> commandType, Throwable failure) {
        return fail(commandType::isInstance, commandType.getSimpleName(), failure);
    }

    /** The commands sent so far that equal {@code command} fail with {@code failure}. */
    public SagaSpecification<S> whenFails(Object command, Throwable failure) {
        return fail(command::equals, command.toString(), failure);
    }

    /**
     * From now on, recording the saga's entry into this step fails, as a database might: the event's handler fails,
     * and Axon's error handler gets the failure ({@link #when} then throws).
     */
    public SagaSpecification<S> failWhenEntering(String step) {
        progress.failing = step;
        return this;
    }

    /** Recording works again. */
    public SagaSpecification<S> recordingWorksAgain() {
        progress.failing = null;
        return this;
    }

    private SagaSpecification<S> fail(Predicate<Object> which, String what, Throwable failure) {
        List<Sent> failing = sent.stream().filter(s -> s.callback() != null && which.test(s.command())).toList();
        if (failing.isEmpty()) {
            throw new AssertionError("No " + what + " waits for an answer; sent: " + commandsSent());
        }
        when();
        for (Sent s : failing) {
            sent.set(sent.indexOf(s), new Sent(s.command(), null));
            s.callback().onResult(GenericCommandMessage.asCommandMessage(s.command()),
                                  GenericCommandResultMessage.asCommandResultMessage(failure));
        }
        deliverPublished();
        return this;
    }

    private void deliver(Object event) {
        read++;
        EventMessage<?> message = GenericEventMessage.asEventMessage(event);
        List<Segment> handling = segments.stream().filter(segment -> manager.canHandle(message, segment)).toList();
        if (definition.handles(event) && definition.keyOf(event) != null && handling.size() != 1) {
            throw new AssertionError(event.getClass().getSimpleName() + " for " + definition.keyOf(event)
                                     + " went to " + handling.size() + " of " + segments.size()
                                     + " segments, not to exactly one");
        }
        for (Segment segment : handling) {
            inUnitOfWork(message, () -> manager.handle(message, segment));
        }
        deliverPublished();
    }

    private void deliverPublished() {
        while (!published.isEmpty()) {
            deliver(published.remove(0));
        }
    }

    private void inUnitOfWork(EventMessage<?> message, ThrowingRunnable action) {
        DefaultUnitOfWork<EventMessage<?>> unitOfWork = DefaultUnitOfWork.startAndGet(message);
        var result = unitOfWork.executeWithResult(() -> {
            action.run();
            return null;
        });
        if (result.isExceptional()) {
            throw new AssertionError("The saga failed to handle " + message.getPayloadType().getSimpleName(),
                                     result.exceptionResult());
        }
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    // ---- expectations, on what the last given or when did ----

    /** Exactly these commands, in this order, were sent by the last step of the specification. */
    public SagaSpecification<S> expectCommands(Object... commands) {
        List<Object> actual = commandsSentLast();
        if (!actual.equals(List.of(commands))) {
            throw new AssertionError("Expected commands " + List.of(commands) + "\n but were " + actual);
        }
        return this;
    }

    public SagaSpecification<S> expectNoCommands() {
        return expectCommands();
    }

    /** A deadline or retry of this name is scheduled now. */
    public SagaSpecification<S> expectScheduledDeadline(String name) {
        if (deadlines.values().stream().noneMatch(d -> d.name().equals(name))) {
            throw new AssertionError("Expected a scheduled deadline " + name + "; scheduled: " + scheduledDeadlines());
        }
        return this;
    }

    /** A deadline or retry of this name is scheduled now, due {@code in} from now. */
    public SagaSpecification<S> expectScheduledDeadline(String name, Duration in) {
        Instant due = now.plus(in);
        if (deadlines.values().stream().noneMatch(d -> d.name().equals(name) && d.due().equals(due))) {
            throw new AssertionError("Expected a deadline " + name + " due in " + in + "; scheduled: "
                                             + deadlines.values().stream()
                                                        .map(d -> d.name() + " in " + Duration.between(now, d.due()))
                                                        .toList());
        }
        return this;
    }

    public SagaSpecification<S> expectNoScheduledDeadline(String name) {
        if (deadlines.values().stream().anyMatch(d -> d.name().equals(name))) {
            throw new AssertionError("Expected no scheduled deadline " + name + "; scheduled: " + scheduledDeadlines());
        }
        return this;
    }

    /** No deadline or retry of the saga is scheduled. */
    public SagaSpecification<S> expectNoScheduledDeadlines() {
        if (!deadlines.isEmpty()) {
            throw new AssertionError("Expected no scheduled deadlines; scheduled: " + scheduledDeadlines());
        }
        return this;
    }

    /** The saga of this key is at this step, or ended in this state. */
    public SagaSpecification<S> expectStep(String key, String step) {
        String actual = progress.steps.get(key);
        if (!Objects.equals(actual, step)) {
            throw new AssertionError("Expected saga " + key + " at " + step + " but it is at " + actual);
        }
        return this;
    }

    /** The saga of this key ended in this state, with this detail (its failure's reason, say). */
    public SagaSpecification<S> expectEnded(String key, String endState, String detail) {
        expectStep(key, endState);
        if (!Objects.equals(progress.states.get(key), endState) || !Objects.equals(progress.details.get(key), detail)) {
            throw new AssertionError("Expected saga " + key + " ended " + endState + " (" + detail + ") but it is "
                                             + progress.states.get(key) + " (" + progress.details.get(key) + ")");
        }
        return this;
    }

    public List<Object> commandsSent() {
        return sent.stream().map(Sent::command).toList();
    }

    public List<Object> commandsSentLast() {
        return sent.subList(sentBefore, sent.size()).stream().map(Sent::command).toList();
    }

    public List<String> scheduledDeadlines() {
        return deadlines.values().stream().map(Scheduled::name).toList();
    }

    /** The saga's timeline, as the dashboard would show it. */
    public List<Noted> timeline(String key) {
        return progress.timelines.getOrDefault(key, List.of());
    }

    public SagaDefinition<S> definition() {
        return definition;
    }

    // ---- the world the kit gives the saga ----

    static ObjectMapper stateMapper() {
        return new ObjectMapper().setVisibility(PropertyAccessor.ALL, JsonAutoDetect.Visibility.NONE)
                                 .setVisibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY)
                                 .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                                 .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    private final class RecordingCommandBus implements CommandBus {

        @Override
        public <C> void dispatch(CommandMessage<C> command) {
            sent.add(new Sent(command.getPayload(), null));
        }

        @SuppressWarnings("unchecked")
        @Override
        public <C, R> void dispatch(CommandMessage<C> command, CommandCallback<? super C, ? super R> callback) {
            sent.add(new Sent(command.getPayload(), (CommandCallback<Object, Object>) callback));
        }

        @Override
        public Registration subscribe(String commandName, MessageHandler<? super CommandMessage<?>> handler) {
            throw new UnsupportedOperationException("The kit's command bus only records");
        }

        @Override
        public Registration registerHandlerInterceptor(
                MessageHandlerInterceptor<? super CommandMessage<?>> handlerInterceptor) {
            return () -> true;
        }

        @Override
        public Registration registerDispatchInterceptor(
                MessageDispatchInterceptor<? super CommandMessage<?>> dispatchInterceptor) {
            return () -> true;
        }
    }

    private final class KitPosition implements StreamPosition {

        @Override
        public OptionalLong storedUpTo() {
            return OptionalLong.of(behind ? read + 1 : read);
        }

        @Override
        public OptionalLong readUpTo() {
            return OptionalLong.of(read);
        }
    }

    private final class ClockedDeadlines implements DeadlineManager {

        @Override
        public String schedule(Instant triggerDateTime, String deadlineName, Object messageOrPayload,
                               ScopeDescriptor deadlineScope) {
            String id = "deadline-" + ids.incrementAndGet();
            deadlines.put(id, new Scheduled(id, deadlineName, triggerDateTime, deadlineScope));
            return id;
        }

        @Override
        public String schedule(Duration triggerDuration, String deadlineName, Object messageOrPayload,
                               ScopeDescriptor deadlineScope) {
            return schedule(now.plus(triggerDuration), deadlineName, messageOrPayload, deadlineScope);
        }

        @Override
        public void cancelSchedule(String deadlineName, String scheduleId) {
            deadlines.remove(scheduleId);
        }

        @Override
        public void cancelAll(String deadlineName) {
            deadlines.values().removeIf(d -> d.name().equals(deadlineName));
        }

        @Override
        public void cancelAllWithinScope(String deadlineName, ScopeDescriptor scope) {
            deadlines.values().removeIf(d -> d.name().equals(deadlineName) && d.scope().equals(scope));
        }

        @Override
        public Registration registerDispatchInterceptor(
                MessageDispatchInterceptor<? super DeadlineMessage<?>> dispatchInterceptor) {
            return () -> true;
        }

        @Override
        public Registration registerHandlerInterceptor(
                MessageHandlerInterceptor<? super DeadlineMessage<?>> handlerInterceptor) {
            return () -> true;
        }
    }

    private static final class KitFailures implements FailureClassifier {

        @Override
        public boolean isRefusal(Throwable failure) {
            return failure instanceof Refusal;
        }

        @Override
        public boolean isUnknownTarget(Throwable failure) {
            return failure instanceof Refusal refusal && refusal.unknownTarget;
        }

        @Override
        public String reason(Throwable failure) {
            return failure.getMessage();
        }
    }

    private static final class RecordedProgress implements SagaProgress {

        final Map<String, String> steps = new LinkedHashMap<>();
        final Map<String, String> states = new LinkedHashMap<>();
        final Map<String, String> details = new LinkedHashMap<>();
        final Map<String, List<Noted>> timelines = new LinkedHashMap<>();
        String failing;

        @Override
        public void entered(String sagaType, String sagaKey, String step, String state, String detail) {
            if (step.equals(failing)) {
                throw new IllegalStateException("recording " + step + " failed");
            }
            steps.put(sagaKey, step);
            states.put(sagaKey, state);
            details.put(sagaKey, detail);
            noted(sagaType, sagaKey, Entry.STEP, step, detail);
        }

        @Override
        public void noted(String sagaType, String sagaKey, Entry kind, String name, String detail) {
            timelines.computeIfAbsent(sagaKey, key -> new ArrayList<>()).add(new Noted(kind, name, detail));
        }

        @Override
        public void due(String sagaType, String sagaKey, Duration in) {
        }

        @Override
        public boolean hasRun(String sagaType, String sagaKey) {
            return steps.containsKey(sagaKey);
        }
    }
}
