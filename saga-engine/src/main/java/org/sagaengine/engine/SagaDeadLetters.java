package org.sagaengine.engine;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.config.EventProcessingConfigurer;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.EventMessageHandler;
import org.axonframework.eventhandling.ListenerInvocationErrorHandler;
import org.axonframework.eventhandling.Segment;
import org.axonframework.messaging.InterceptorChain;
import org.axonframework.messaging.MessageHandlerInterceptor;
import org.axonframework.messaging.deadletter.Decisions;
import org.axonframework.messaging.deadletter.DeadLetter;
import org.axonframework.messaging.deadletter.EnqueueDecision;
import org.axonframework.messaging.deadletter.GenericDeadLetter;
import org.axonframework.messaging.deadletter.SequencedDeadLetterProcessor;
import org.axonframework.messaging.deadletter.SequencedDeadLetterQueue;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.axonframework.messaging.unitofwork.DefaultUnitOfWork;
import org.axonframework.messaging.unitofwork.UnitOfWork;
import org.axonframework.modelling.saga.AbstractSagaManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A dead-letter queue for one saga type, which Axon's queues do not cover: Axon's default logs a failing saga handler
 * and drops the event. Here an event the saga cannot handle is kept in the service's queue with its cause, keyed by
 * its saga's key, and every later event of that saga waits behind it, so a saga's events are never handled out of
 * order. Other sagas carry on. Retrying hands the waiting events to the saga again, oldest first.
 * <p>
 * A failed handler leaves nothing behind: the engine restores the saga's fields, a service's savepoint per event
 * handler (a {@code HandlerEnhancerDefinition}) undoes its database writes, and the saga writes everything before it
 * sends its commands, so a handler that fails has sent nothing.
 * <p>
 * Its interceptor and error handler are registered for the saga type's processor only ({@link #routeFailures}). They
 * are not what this class is: Axon's Spring Boot support registers every bean that is a
 * {@code MessageHandlerInterceptor} with every event processor of the service, and the read models and the audit
 * trail must go on recording a parked saga's events.
 */
public final class SagaDeadLetters implements SequencedDeadLetterProcessor<EventMessage<?>> {

    private static final Logger log = LoggerFactory.getLogger(SagaDeadLetters.class);
    private static final String RETRYING = SagaDeadLetters.class.getName() + ".retrying";
    /** The longest an event waits for a retry of its saga's letters to end. */
    private static final Duration RETRY_WAIT = Duration.ofSeconds(30);
    /** While the queue holds letters, how often it is asked whether it is empty again. */
    private static final Duration LOOK_FOR_EMPTY_EVERY = Duration.ofSeconds(10);

    private final SequencedDeadLetterQueue<EventMessage<?>> queue;
    private final TransactionManager transactions;
    private final Function<Object, String> keyOf;
    private final String sagaType;
    private final Supplier<AbstractSagaManager<?>> sagaManager;
    /**
     * The keys this process gave dead letters to. Only this processor adds letters (an operator only retries or removes
     * them), so once the queue has been seen empty, a key outside this set has none, and the queue need not be asked
     * for every event. A key is added before its letter is written, and leaves once asking shows its letters gone.
     */
    private final Set<String> enqueuedHere = ConcurrentHashMap.newKeySet();
    private volatile boolean seenEmpty;
    private volatile long lastLookedForEmpty;
    /**
     * The keys whose letters are being retried right now. The retry sends the saga's next commands before the queue
     * has removed the letters, and a reply can come back before that: it must wait for the retry to end, and then
     * reach the saga, not join the letters about to be removed.
     */
    private final Map<String, CountDownLatch> retrying = new ConcurrentHashMap<>();
    /**
     * Per key with letters, the segment of the saga processor whose saga failed. Every segment reads the saga type's
     * events, and each hands them only to its own sagas; so only that segment holds a later event back and queues it.
     * Without this, each segment queued it once. Axon's tracking processor names the segment in the unit of work.
     */
    private final Map<String, Object> parkedIn = new ConcurrentHashMap<>();
    private final String segmentResource;
    private final MessageHandlerInterceptor<EventMessage<?>> holdBehindLetters = this::holdBehindLetters;
    private final ListenerInvocationErrorHandler park = this::park;

    private SagaDeadLetters(SequencedDeadLetterQueue<EventMessage<?>> queue, TransactionManager transactions,
                            Function<Object, String> keyOf, String sagaType, String processorName,
                            Supplier<AbstractSagaManager<?>> sagaManager) {
        this.segmentResource = "Processor[" + processorName + "]/SegmentId";
        this.queue = queue;
        this.transactions = transactions;
        this.keyOf = keyOf;
        this.sagaType = sagaType;
        this.sagaManager = sagaManager;
    }

    /**
     * The dead letters of a saga type, kept in {@code queue} (a queue of the processor named
     * {@link SagaEngineConfiguration#processorName}), retried through the saga type's manager.
     */
    public static SagaDeadLetters of(SagaDefinition<?> definition, SequencedDeadLetterQueue<EventMessage<?>> queue,
                                     TransactionManager transactions,
                                     Supplier<EventProcessingConfiguration> processing) {
        return new SagaDeadLetters(queue, transactions, definition::keyOf, definition.type(),
                                   SagaEngineConfiguration.processorName(definition),
                                   () -> processing.get().sagaConfiguration(definition.stateType()).manager());
    }

    /** Routes the failures of the saga type's processor here, and holds its later events behind a dead letter. */
    public static void routeFailures(EventProcessingConfigurer processing, SagaDefinition<?> definition,
                                     Supplier<SagaDeadLetters> deadLetters) {
        String processor = SagaEngineConfiguration.processorName(definition);
        processing.registerListenerInvocationErrorHandler(processor, configuration -> deadLetters.get().park)
                  .registerHandlerInterceptor(processor, configuration -> deadLetters.get().holdBehindLetters);
    }

    public SequencedDeadLetterQueue<EventMessage<?>> queue() {
        return queue;
    }

    /** An event of a saga that already has a dead letter waits behind it instead of reaching the saga. */
    private Object holdBehindLetters(UnitOfWork<? extends EventMessage<?>> unitOfWork, InterceptorChain chain)
            throws Exception {
        EventMessage<?> event = unitOfWork.getMessage();
        String key = keyOf.apply(event.getPayload());
        CountDownLatch retried = key == null ? null : retrying.get(key);
        if (retried != null && !retried.await(RETRY_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
            log.warn("{} {}: the retry of its dead letters has not ended after {}", sagaType, key, RETRY_WAIT);
        }
        if (key != null && mayHaveLetters(key)) {
            Object parkedInSegment = parkedIn.get(key);
            if (parkedInSegment != null && !parkedInSegment.equals(unitOfWork.resources().get(segmentResource))) {
                // Another segment's saga: this segment does not hand it the event, and the other queues it.
                return chain.proceed();
            }
            if (queue.enqueueIfPresent(key, () -> new GenericDeadLetter<>(key, event))) {
                log.warn("{} {}: {} waits behind the saga's dead letters", sagaType, key,
                         event.getPayloadType().getSimpleName());
                return null;
            }
            enqueuedHere.remove(key);
            parkedIn.remove(key);
        }
        return chain.proceed();
    }

    /** Whether the queue must be asked about a key: always, until the queue has been seen empty. */
    private boolean mayHaveLetters(String key) {
        if (seenEmpty) {
            return enqueuedHere.contains(key);
        }
        long now = System.nanoTime();
        if (now - lastLookedForEmpty > LOOK_FOR_EMPTY_EVERY.toNanos()) {
            lastLookedForEmpty = now;
            seenEmpty = queue.amountOfSequences() == 0;
            return !seenEmpty || enqueuedHere.contains(key);
        }
        return true;
    }

    /** A saga handler failed: its event becomes the saga's dead letter, unless it is being retried. */
    private void park(Exception exception, EventMessage<?> event, EventMessageHandler saga) throws Exception {
        String key = keyOf.apply(event.getPayload());
        if (key == null || retrying()) {
            throw exception;
        }
        log.error("{} {}: the saga failed to handle {}; it is now a dead letter", sagaType, key,
                  event.getPayloadType().getSimpleName(), exception);
        enqueuedHere.add(key);
        Object segment = CurrentUnitOfWork.isStarted()
                         ? CurrentUnitOfWork.get().resources().get(segmentResource) : null;
        if (segment != null) {
            parkedIn.put(key, segment);
        }
        queue.enqueue(key, new GenericDeadLetter<>(key, event, exception));
    }

    @Override
    public boolean process(Predicate<DeadLetter<? extends EventMessage<?>>> sequenceFilter) {
        Map<String, CountDownLatch> mine = new HashMap<>();
        try {
            return queue.process(sequenceFilter, letter -> retry(letter, mine));
        } finally {
            mine.forEach((key, latch) -> {
                retrying.remove(key, latch);
                latch.countDown();
            });
        }
    }

    private EnqueueDecision<EventMessage<?>> retry(DeadLetter<? extends EventMessage<?>> letter,
                                                   Map<String, CountDownLatch> mine) {
        EventMessage<?> event = letter.message();
        String key = keyOf.apply(event.getPayload());
        if (key != null && !mine.containsKey(key)) {
            CountDownLatch latch = new CountDownLatch(1);
            mine.put(key, latch);
            retrying.put(key, latch);
        }
        UnitOfWork<EventMessage<?>> unitOfWork = DefaultUnitOfWork.startAndGet(event);
        unitOfWork.resources().put(RETRYING, Boolean.TRUE);
        unitOfWork.attachTransaction(transactions);
        var result = unitOfWork.executeWithResult(() -> {
            sagaManager.get().handle(event, Segment.ROOT_SEGMENT);
            return null;
        });
        if (result.isExceptional()) {
            log.warn("Retrying {} failed again: {}", event.getPayloadType().getSimpleName(),
                     result.exceptionResult().toString());
            return Decisions.requeue(result.exceptionResult());
        }
        log.info("Retried {}: the saga handled it", event.getPayloadType().getSimpleName());
        return Decisions.evict();
    }

    private static boolean retrying() {
        return CurrentUnitOfWork.isStarted() && CurrentUnitOfWork.get().resources().containsKey(RETRYING);
    }
}
