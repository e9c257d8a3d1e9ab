package org.sagaengine.engine;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import com.github.kagkarlsson.scheduler.task.CompletionHandler;
import com.github.kagkarlsson.scheduler.task.DeadExecutionHandler;
import com.github.kagkarlsson.scheduler.task.ExecutionContext;
import com.github.kagkarlsson.scheduler.task.FailureHandler;
import com.github.kagkarlsson.scheduler.task.SchedulableInstance;
import com.github.kagkarlsson.scheduler.task.Task;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import org.axonframework.deadline.dbscheduler.DbSchedulerBinaryDeadlineDetails;
import org.axonframework.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Axon's db-scheduler deadline task, asking the engine's {@link SagaDeadlineGate} first: a saga's deadline that falls
 * due while the saga's processor is behind goes back into the schedule, under the same id and without loading the
 * saga, until the processor has read what was stored before it fell due; and one whose delivery failed is tried again
 * within seconds.
 */
public final class HeldDeadlineTask implements Task<DbSchedulerBinaryDeadlineDetails> {

    static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    static final Duration LONGEST_RETRY = Duration.ofSeconds(30);
    private static final Logger log = LoggerFactory.getLogger(HeldDeadlineTask.class);

    private final Task<DbSchedulerBinaryDeadlineDetails> deadlines;
    private final Supplier<SagaDeadlineGate> gate;
    private final Supplier<Serializer> serializer;

    /**
     * @param deadlines  Axon's task, which delivers a deadline to its scope
     * @param gate       looked up when a deadline first falls due, once the application is up
     * @param serializer the serializer Axon's deadline manager stores scopes with
     */
    public HeldDeadlineTask(Task<DbSchedulerBinaryDeadlineDetails> deadlines, Supplier<SagaDeadlineGate> gate,
                            Supplier<Serializer> serializer) {
        this.deadlines = deadlines;
        this.gate = gate;
        this.serializer = serializer;
    }

    @Override
    public CompletionHandler<DbSchedulerBinaryDeadlineDetails> execute(
            TaskInstance<DbSchedulerBinaryDeadlineDetails> instance, ExecutionContext context) {
        AtomicReference<CompletionHandler<DbSchedulerBinaryDeadlineDetails>> ran = new AtomicReference<>();
        Optional<Duration> hold = gate.get().runOrHold(
                instance.getData().getDeserializedScopeDescriptor(serializer.get()), instance.getId(),
                () -> ran.set(deadlines.execute(instance, context)));
        if (hold.isPresent()) {
            Duration wait = hold.get();
            return (complete, operations) -> operations.reschedule(complete, complete.getTimeDone().plus(wait));
        }
        return ran.get();
    }

    @Override
    public String getName() {
        return deadlines.getName();
    }

    @Override
    public Class<DbSchedulerBinaryDeadlineDetails> getDataClass() {
        return deadlines.getDataClass();
    }

    @Override
    public TaskInstance<DbSchedulerBinaryDeadlineDetails> instance(String id) {
        return deadlines.instance(id);
    }

    @Override
    public TaskInstance<DbSchedulerBinaryDeadlineDetails> instance(String id, DbSchedulerBinaryDeadlineDetails data) {
        return deadlines.instance(id, data);
    }

    @Override
    public SchedulableInstance<DbSchedulerBinaryDeadlineDetails> schedulableInstance(String id) {
        return deadlines.schedulableInstance(id);
    }

    @Override
    public SchedulableInstance<DbSchedulerBinaryDeadlineDetails> schedulableInstance(
            String id, DbSchedulerBinaryDeadlineDetails data) {
        return deadlines.schedulableInstance(id, data);
    }

    /**
     * A deadline whose delivery failed is tried again soon: after 1 s, doubling up to 30 s while it keeps failing.
     * Delivering one reads the event store's head and runs the saga, so it fails while the event store or the
     * database is out of reach, and db-scheduler's default, which Axon's task keeps, would try again only after five
     * minutes each time: the saga's step would wait that long after the outage ended.
     */
    @Override
    public FailureHandler<DbSchedulerBinaryDeadlineDetails> getFailureHandler() {
        return (complete, operations) -> {
            int failures = complete.getExecution().consecutiveFailures + 1;
            Duration wait = retryAfter(failures);
            log.warn("Deadline {} could not be delivered ({} time(s) in a row: {}); trying again in {}",
                     complete.getExecution().taskInstance.getId(), failures,
                     complete.getCause().map(Throwable::toString).orElse("no cause given"), wait);
            operations.reschedule(complete, complete.getTimeDone().plus(wait));
        };
    }

    /** How long to wait after a deadline's {@code failures}-th failure in a row. */
    static Duration retryAfter(int failures) {
        Duration wait = FIRST_RETRY.multipliedBy(1L << Math.min(Math.max(failures, 1) - 1, 5));
        return wait.compareTo(LONGEST_RETRY) > 0 ? LONGEST_RETRY : wait;
    }

    @Override
    public DeadExecutionHandler<DbSchedulerBinaryDeadlineDetails> getDeadExecutionHandler() {
        return deadlines.getDeadExecutionHandler();
    }
}
