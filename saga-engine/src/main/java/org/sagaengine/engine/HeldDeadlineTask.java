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

/**
 * Axon's db-scheduler deadline task, asking the engine's {@link SagaDeadlineGate} first: a saga's deadline that falls
 * due while the saga's processor is behind goes back into the schedule, under the same id and without loading the
 * saga, until the processor has read what was stored before it fell due.
 */
public final class HeldDeadlineTask implements Task<DbSchedulerBinaryDeadlineDetails> {

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

    @Override
    public FailureHandler<DbSchedulerBinaryDeadlineDetails> getFailureHandler() {
        return deadlines.getFailureHandler();
    }

    @Override
    public DeadExecutionHandler<DbSchedulerBinaryDeadlineDetails> getDeadExecutionHandler() {
        return deadlines.getDeadExecutionHandler();
    }
}
