package org.sagaengine.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

import org.sagaengine.engine.SagaInstance.Phase;
import org.sagaengine.engine.Step.ReplyKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's rules, the same for every saga type: what an event or a deadline does to a saga, given its definition.
 * <ul>
 * <li>Steps run in order; a step's commands go out together, and it is done when every item is.</li>
 * <li>Up to and including the pivot, a refusal, a failed command, a timeout, a cancellation or an operator's request
 * compensates: every item asked for and not refused, answered or not, is undone, the latest step first, and the saga
 * fails only when each compensation is acknowledged. A reply that arrives while compensating is undone as well.</li>
 * <li>After the pivot the saga only goes forward, sending what is unacknowledged again every retry interval.</li>
 * <li>A pivot without a compensation is settled by its reply alone: it is sent again every retry interval until it
 * is done or refused. A refusal compensates the steps before it; nothing else does meanwhile.</li>
 * <li>An event delivered again changes nothing: every rule depends on what the saga already knows.</li>
 * <li>Everything a handler writes is written before its first command leaves: a handler that fails has sent
 * nothing, so its event can be handled again as if for the first time.</li>
 * </ul>
 */
final class SagaMachine<S extends SagaInstance> {

    static final String FORWARD_RETRY = "forward-retry";
    static final String COMPENSATION_RETRY = "compensation-retry";
    /** How soon a deadline that fell due while the saga's processor was behind is looked at again. */
    static final Duration LAG_RECHECK = Duration.ofSeconds(1);
    static final String REASON_TIMEOUT = "timeout";
    static final String REASON_ENDED_BY_OPERATOR = "ended by operator";

    private static final Logger log = LoggerFactory.getLogger(SagaMachine.class);

    /** What the machine asks of the world; the Axon runtime and the specification kit each provide one. */
    interface Effects {
        String schedule(Duration in, String deadlineName);

        void cancel(String deadlineName, String deadlineId);

        /** Sends without waiting; a failure comes back as a {@link ParticipantCommandFailed}. */
        void send(Outgoing command);

        /** The saga is over: Axon removes it and its associations. */
        void end();

        /** The position of the last event stored so far; empty where the event store cannot tell. */
        OptionalLong storedUpTo();

        /** Whether the saga type's processor has read the event stream up to {@code position}. */
        boolean hasRead(long position);

        /**
         * Whether a command of this saga's step is still on its way: queued to be sent, or sent and not yet answered
         * (its delivery has a bounded lifetime: the gateway's retries, each with a reply timeout).
         */
        boolean stillSending(String sagaType, String sagaKey, String step);
    }

    /** A command, the step and item it is for, and whether it undoes them. */
    record Outgoing(Object command, String sagaType, String sagaKey, String step, String item, boolean compensation) {
    }

    private final SagaDefinition<S> definition;
    private final SagaTimeouts timeouts;
    private final SagaProgress progress;

    SagaMachine(SagaDefinition<S> definition, SagaTimeouts timeouts, SagaProgress progress) {
        this.definition = definition;
        this.timeouts = timeouts;
        this.progress = progress;
    }

    SagaDefinition<S> definition() {
        return definition;
    }

    /**
     * How long a deadline that cannot act yet waits before it looks again, when it has waited {@code times} times
     * already: 1 s, 2 s, 4 s, then 8 s each time.
     */
    static Duration waitAfter(int times) {
        return LAG_RECHECK.multipliedBy(1L << Math.min(times, 3));
    }

    /** Handles one event for one saga; the commands it sends leave at the end. */
    void on(S saga, Object event, Effects effects) {
        Run run = new Run(saga, effects);
        run.on(event);
        run.flush();
    }

    /** A deadline or retry of this saga fell due. */
    void onDeadline(S saga, String deadlineName, Effects effects) {
        Run run = new Run(saga, effects);
        run.deadline(deadlineName);
        run.flush();
    }

    private final class Run {

        private final S saga;
        private final Effects effects;
        private final List<Outgoing> outgoing = new ArrayList<>();
        private final List<SagaProgress.Report> reports = new ArrayList<>();

        Run(S saga, Effects effects) {
            this.saga = saga;
            this.effects = effects;
        }

        void on(Object event) {
            if (definition.startEvent.isInstance(event)) {
                start(event);
                return;
            }
            if (saga.phase == null || saga.phase == Phase.ENDED) {
                return;
            }
            if (event instanceof ParticipantCommandFailed failed) {
                commandFailed(failed);
                return;
            }
            if (event instanceof SagaEndRequested end) {
                noted(SagaProgress.Entry.REPLY, "SagaEndRequested", "by " + end.requestedBy() + " at " + stepName());
                endRequested();
                return;
            }
            for (SagaDefinition.Cancellation cancellation : definition.cancellations) {
                if (cancellation.type().isInstance(event)) {
                    noted(SagaProgress.Entry.REPLY, name(event), null);
                    cancel(cancellation.reason());
                    return;
                }
            }
            for (Step<S, ?> step : definition.allSteps()) {
                for (Step.Reply reply : step.replies) {
                    if (reply.type().isInstance(event)) {
                        replied(step, reply, event);
                        return;
                    }
                }
            }
        }

        // ---- forward ----

        private void start(Object event) {
            String key = definition.keyOf(event);
            if (saga.phase != null || progress.hasRun(definition.type, key)) {
                log.info("{} {}: started again in the event stream, its saga has already run", definition.type, key);
                if (saga.phase == null) {
                    effects.end();
                }
                return;
            }
            saga.sagaKey = key;
            definition.onStart.accept(saga, event);
            noted(SagaProgress.Entry.REPLY, name(event), null);
            enterStep(0);
        }

        private void enterStep(int index) {
            saga.stepIndex = index;
            saga.phase = Phase.RUNNING;
            Step<S, ?> step = definition.steps.get(index);
            Map<String, ?> items = step.items(saga);
            enter(step.name, describe(step, items));
            if (index < definition.pivot || (index == definition.pivot && !definition.settlesByReply())) {
                scheduleStepDeadline(step.deadline);
            } else {
                cancelStepDeadline();
                if (saga.retryId == null) {
                    scheduleRetry(FORWARD_RETRY);
                }
            }
            sendMissing(step);
            advanceIfDone();
        }

        private void advanceIfDone() {
            Step<S, ?> step = definition.steps.get(saga.stepIndex);
            boolean everyItemDone = SagaInstance.of(saga.done, step.name).containsAll(step.items(saga).keySet());
            if (saga.phase == Phase.RUNNING && everyItemDone) {
                if (saga.stepIndex + 1 < definition.steps.size()) {
                    enterStep(saga.stepIndex + 1);
                } else {
                    succeed();
                }
            }
        }

        private String describe(Step<S, ?> step, Map<String, ?> items) {
            if (step.description != null) {
                return step.description.apply(saga);
            }
            return items.size() == 1 ? items.keySet().iterator().next() : items.size() + " items";
        }

        private void succeed() {
            cancelStepDeadline();
            saga.phase = Phase.SUCCEEDING;
            enter(definition.success.name, definition.success.description == null
                                           ? null : definition.success.description.apply(saga));
            if (saga.retryId == null) {
                scheduleRetry(FORWARD_RETRY);
            }
            sendMissing(definition.success);
        }

        private void replied(Step<S, ?> step, Step.Reply reply, Object event) {
            String item = reply.itemOf() == null ? onlyItem(step) : reply.itemOf().apply(event);
            String reason = reply.reasonOf() == null ? null : reply.reasonOf().apply(event);
            noted(SagaProgress.Entry.REPLY, name(event), reason == null ? item : item + ": " + reason);
            switch (reply.kind()) {
                case DONE -> done(step, item);
                case REFUSED -> refused(step, item, reason);
                case COMPENSATED -> compensated(step, item);
            }
        }

        private void done(Step<S, ?> step, String item) {
            if (step == definition.success || step == definition.failure) {
                end(step == definition.success ? definition.succeeded : definition.failed, saga.failureReason);
                return;
            }
            SagaInstance.of(saga.done, step.name).add(item);
            if (saga.phase == Phase.RUNNING && isCurrent(step)) {
                advanceIfDone();
            } else if (saga.phase == Phase.COMPENSATING && step.compensable()
                    && !SagaInstance.of(saga.refused, step.name).contains(item)) {
                // Late: the compensation already sent will undo it; say so again in case that one was lost.
                SagaInstance.of(saga.compensationsAwaited, step.name).add(item);
                sendCompensation(step, item);
            }
        }

        private void refused(Step<S, ?> step, String item, String reason) {
            SagaInstance.of(saga.refused, step.name).add(item);
            if (saga.phase == Phase.RUNNING && isCurrent(step) && saga.stepIndex <= definition.pivot) {
                compensate(reason);
            }
        }

        private void cancel(String reason) {
            if (canCompensate() && !settlingByReply()) {
                compensate(reason);
            } else {
                log.info("{} {}: asked to stop at {}: too late, it is past its pivot", definition.type,
                         saga.sagaKey, stepName());
            }
        }

        private void endRequested() {
            if (canCompensate() && !settlingByReply()) {
                compensate(REASON_ENDED_BY_OPERATOR);
            } else if (saga.phase == Phase.COMPENSATING) {
                saga.failureReason = REASON_ENDED_BY_OPERATOR;
                scheduleRetry(COMPENSATION_RETRY);
                sendMissingCompensations();
            } else if (saga.phase == Phase.FAILING) {
                scheduleRetry(COMPENSATION_RETRY);
                sendMissing(definition.failure);
            } else {
                log.info("{} {}: asked to end at {}; past its pivot it only goes forward", definition.type,
                         saga.sagaKey, stepName());
            }
        }

        /**
         * A refused command held nothing, like a refusal; a refused compensation has nothing to give back, since
         * undoing what never happened counts as done. A failure that may not have reached the participant is left to
         * the step's deadline or retry. A refused failure step ends the saga all the same: nothing is left to undo.
         * At a pivot settled by its reply, only the pivot's own refusal compensates.
         */
        private void commandFailed(ParticipantCommandFailed failed) {
            noted(SagaProgress.Entry.REPLY, "ParticipantCommandFailed",
                  failed.command() + " for " + failed.item() + ": " + failed.failure());
            Step<S, ?> step = stepNamed(failed.step());
            if (step == null) {
                return;
            }
            if (failed.refused()) {
                if (failed.compensation()) {
                    SagaInstance.of(saga.compensationsAwaited, step.name).remove(failed.item());
                } else {
                    SagaInstance.of(saga.refused, step.name).add(failed.item());
                }
            }
            boolean pivotRefused = failed.refused() && !failed.compensation() && isCurrent(step);
            if (canCompensate() && (!settlingByReply() || pivotRefused)) {
                compensate(failed.unknownTarget()
                                   ? "unknown " + step.targetKind + ": " + failed.item()
                                   : failed.command() + " failed for " + failed.item() + ": " + failed.failure());
            } else if (saga.phase == Phase.COMPENSATING) {
                failIfCompensated();
            } else if (saga.phase == Phase.FAILING && failed.refused() && step == definition.failure) {
                end(definition.failed, saga.failureReason + " (it could not be recorded: " + failed.failure() + ")");
            }
        }

        void deadline(String name) {
            if (saga.phase == null || saga.phase == Phase.ENDED || !readEverythingBefore(name)) {
                return;
            }
            noted(SagaProgress.Entry.DEADLINE, name, "in " + stepName());
            if (name.equals(FORWARD_RETRY)) {
                if (saga.phase == Phase.SUCCEEDING || settlingByReply()
                        || (saga.phase == Phase.RUNNING && saga.stepIndex > definition.pivot)) {
                    logResending();
                    scheduleRetry(FORWARD_RETRY);
                    if (saga.phase == Phase.SUCCEEDING) {
                        sendMissing(definition.success);
                    } else {
                        sendMissing(currentStep());
                    }
                }
            } else if (name.equals(COMPENSATION_RETRY)) {
                if (saga.phase == Phase.COMPENSATING || saga.phase == Phase.FAILING) {
                    logResending();
                    scheduleRetry(COMPENSATION_RETRY);
                    if (saga.phase == Phase.COMPENSATING) {
                        sendMissingCompensations();
                    } else {
                        sendMissing(definition.failure);
                    }
                }
            } else if (saga.phase == Phase.RUNNING && name.equals(currentStep().deadline)) {
                if (effects.stillSending(definition.type, saga.sagaKey, currentStep().name)) {
                    // The step's command has not even reached its participant: the system is slow, not the
                    // participant. The deadline waits for the delivery to end, answered or failed.
                    Duration wait = nextWait();
                    log.info("{} {}: {} fell due while the step's commands are still being delivered; looking again "
                                     + "in {}", definition.type, saga.sagaKey, name, wait);
                    saga.deadlineId = effects.schedule(wait, name);
                    return;
                }
                compensate(REASON_TIMEOUT);
            }
        }

        /**
         * A deadline acts on what the saga knows, so it waits until the saga's processor has read every event stored
         * before the deadline fell due: a late reply may be among them, and a processor that lags behind a busy system
         * must not make its sagas time out or send again what was answered. Until then the deadline is looked at again
         * after {@link #LAG_RECHECK}, then after twice as long each time, up to 8 times as long: a processor far
         * behind is not made busier still by deadlines that look at it every second. The position it waits for is fixed
         * when it first falls due, so a processor that is always a little behind a steady load still lets it act.
         */
        private boolean readEverythingBefore(String name) {
            boolean retry = name.equals(saga.retryName);
            if (!retry && !name.equals(saga.deadlineName)) {
                return true;
            }
            Long waitsFor = saga.deadlineWaitsFor;
            if (waitsFor == null) {
                OptionalLong stored = effects.storedUpTo();
                if (stored.isEmpty()) {
                    return true;
                }
                waitsFor = stored.getAsLong();
            }
            if (effects.hasRead(waitsFor)) {
                saga.deadlineWaitsFor = null;
                return true;
            }
            saga.deadlineWaitsFor = waitsFor;
            Duration wait = nextWait();
            log.info("{} {}: {} fell due while the saga's events up to {} are unread; looking again in {}",
                     definition.type, saga.sagaKey, name, waitsFor, wait);
            if (retry) {
                saga.retryId = effects.schedule(wait, name);
            } else {
                saga.deadlineId = effects.schedule(wait, name);
            }
            return false;
        }

        private Duration nextWait() {
            return waitAfter(saga.deadlineWaits++);
        }

        private void logResending() {
            log.warn("{} {}: {} still unacknowledged, sending again", definition.type, saga.sagaKey, stepName());
        }

        // ---- compensation, in reverse ----

        private void compensate(String reason) {
            saga.failureReason = reason;
            cancelStepDeadline();
            saga.phase = Phase.COMPENSATING;
            enter("COMPENSATING", reason);
            for (int index = Math.min(saga.stepIndex, definition.pivot); index >= 0; index--) {
                Step<S, ?> step = definition.steps.get(index);
                if (step.compensable()) {
                    Set<String> awaited = SagaInstance.of(saga.compensationsAwaited, step.name);
                    SagaInstance.of(saga.asked, step.name).stream()
                                .filter(item -> !SagaInstance.of(saga.refused, step.name).contains(item))
                                .forEach(awaited::add);
                }
            }
            if (!awaitsCompensation()) {
                fail();
                return;
            }
            scheduleRetry(COMPENSATION_RETRY);
            sendMissingCompensations();
        }

        private void compensated(Step<S, ?> step, String item) {
            if (saga.phase == Phase.COMPENSATING) {
                SagaInstance.of(saga.compensationsAwaited, step.name).remove(item);
                failIfCompensated();
            }
        }

        private void failIfCompensated() {
            if (!awaitsCompensation()) {
                fail();
            }
        }

        private boolean awaitsCompensation() {
            return saga.compensationsAwaited.values().stream().anyMatch(items -> !items.isEmpty());
        }

        private void fail() {
            saga.phase = Phase.FAILING;
            enter(definition.failure.name, saga.failureReason);
            scheduleRetry(COMPENSATION_RETRY);
            sendMissing(definition.failure);
        }

        private void end(String endState, String detail) {
            cancelRetry();
            cancelStepDeadline();
            saga.phase = Phase.ENDED;
            enter(endState, detail);
            effects.end();
        }

        // ---- sending ----

        /** Sends the step's command for every item not yet done, and notes each as asked for. */
        private <I> void sendMissing(Step<S, I> step) {
            Set<String> done = SagaInstance.of(saga.done, step.name);
            Set<String> asked = SagaInstance.of(saga.asked, step.name);
            step.items(saga).forEach((item, value) -> {
                if (!done.contains(item)) {
                    asked.add(item);
                    out(step.command.apply(saga, value), step, item, false);
                }
            });
        }

        private void sendMissingCompensations() {
            for (int index = definition.pivot; index >= 0; index--) {
                Step<S, ?> step = definition.steps.get(index);
                for (String item : List.copyOf(SagaInstance.of(saga.compensationsAwaited, step.name))) {
                    sendCompensation(step, item);
                }
            }
        }

        private <I> void sendCompensation(Step<S, I> step, String item) {
            I value = step.items(saga).get(item);
            if (value != null) {
                out(step.compensation.apply(saga, value), step, item, true);
            }
        }

        private void out(Object command, Step<S, ?> step, String item, boolean compensation) {
            noted(compensation ? SagaProgress.Entry.COMPENSATION : SagaProgress.Entry.COMMAND, name(command), item);
            outgoing.add(new Outgoing(command, definition.type, saga.sagaKey, step.name, item, compensation));
        }

        /** Writes what the handler reported, in one go, and then sends its commands. */
        void flush() {
            if (!reports.isEmpty()) {
                progress.reported(definition.type, saga.sagaKey, reports);
            }
            outgoing.forEach(effects::send);
        }

        // ---- deadlines ----

        private void scheduleStepDeadline(String name) {
            cancelStepDeadline();
            saga.deadlineWaitsFor = null;
            saga.deadlineWaits = 0;
            if (name != null) {
                saga.deadlineName = name;
                saga.deadlineId = effects.schedule(timeouts.stepTimeout(), name);
                reports.add(new SagaProgress.Due(timeouts.stepTimeout()));
            }
        }

        private void cancelStepDeadline() {
            if (saga.deadlineId != null) {
                effects.cancel(saga.deadlineName, saga.deadlineId);
                saga.deadlineId = null;
                saga.deadlineName = null;
                reports.add(new SagaProgress.Due(null));
            }
        }

        private void scheduleRetry(String name) {
            cancelRetry();
            saga.deadlineWaitsFor = null;
            saga.deadlineWaits = 0;
            saga.retryName = name;
            saga.retryId = effects.schedule(timeouts.retryInterval(), name);
            reports.add(new SagaProgress.Due(timeouts.retryInterval()));
        }

        private void cancelRetry() {
            if (saga.retryId != null) {
                effects.cancel(saga.retryName, saga.retryId);
                saga.retryId = null;
                saga.retryName = null;
                reports.add(new SagaProgress.Due(null));
            }
        }

        // ---- what the saga knows of itself ----

        private boolean canCompensate() {
            return saga.phase == Phase.RUNNING && saga.stepIndex <= definition.pivot;
        }

        /** At a pivot without a compensation: only its participant's answer decides. */
        private boolean settlingByReply() {
            return saga.phase == Phase.RUNNING && saga.stepIndex == definition.pivot && definition.settlesByReply();
        }

        private boolean isCurrent(Step<S, ?> step) {
            return saga.stepIndex >= 0 && saga.stepIndex < definition.steps.size()
                    && definition.steps.get(saga.stepIndex) == step;
        }

        private Step<S, ?> currentStep() {
            return definition.steps.get(saga.stepIndex);
        }

        private Step<S, ?> stepNamed(String name) {
            return definition.allSteps().stream().filter(step -> step.name.equals(name)).findFirst().orElse(null);
        }

        private String onlyItem(Step<S, ?> step) {
            return step.items(saga).keySet().stream().findFirst().orElse(saga.sagaKey);
        }

        private String stepName() {
            return switch (saga.phase) {
                case COMPENSATING -> "COMPENSATING";
                case SUCCEEDING -> definition.success.name;
                case FAILING -> definition.failure.name;
                default -> saga.stepIndex < 0 ? "start" : currentStep().name;
            };
        }

        private void enter(String step, String detail) {
            log.info("{} {}: {}{}", definition.type, saga.sagaKey, step, detail == null ? "" : " (" + detail + ")");
            String state = switch (saga.phase) {
                case RUNNING, SUCCEEDING -> "RUNNING";
                case COMPENSATING, FAILING -> "COMPENSATING";
                case ENDED -> step;
            };
            reports.add(new SagaProgress.Entered(step, state, detail));
        }

        private void noted(SagaProgress.Entry kind, String name, String detail) {
            reports.add(new SagaProgress.Note(kind, name, detail));
        }

        private static String name(Object message) {
            return message.getClass().getSimpleName();
        }
    }
}
