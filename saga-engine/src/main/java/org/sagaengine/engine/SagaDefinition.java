package org.sagaengine.engine;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * A saga type, declared: the event that starts it and the property it is associated by, its steps in order, the pivot
 * after which it only goes forward, what cancels it, and the terminal steps for success and for failure. The engine
 * runs it; nothing in a definition is about deadline ids, retries or timelines.
 *
 * @param <S> the saga's state, which the engine stores between events
 */
public final class SagaDefinition<S extends SagaInstance> {

    /** An event that asks a running saga to stop, and the reason its failure gives. */
    record Cancellation(Class<?> type, String reason) {
    }

    final String type;
    final Class<S> stateType;
    final Supplier<S> newState;
    final String associationProperty;
    final Class<?> startEvent;
    final BiConsumer<S, Object> onStart;
    final List<Step<S, ?>> steps;
    final int pivot;
    final Step<S, S> success;
    final String succeeded;
    final Step<S, S> failure;
    final String failed;
    final List<Cancellation> cancellations;
    private final Map<Class<?>, Method> keyAccessors = new LinkedHashMap<>();

    private SagaDefinition(Builder<S> builder) {
        this.type = builder.type;
        this.stateType = builder.stateType;
        this.newState = builder.newState;
        this.associationProperty = Objects.requireNonNull(builder.associationProperty, "associatedBy");
        this.startEvent = Objects.requireNonNull(builder.startEvent, "startedBy");
        this.onStart = builder.onStart;
        this.steps = List.copyOf(builder.steps);
        this.pivot = builder.pivot < 0 ? steps.size() - 1 : builder.pivot;
        this.success = Objects.requireNonNull(builder.success, "succeedWith");
        this.succeeded = builder.succeeded;
        this.failure = Objects.requireNonNull(builder.failure, "failWith");
        this.failed = builder.failed;
        this.cancellations = List.copyOf(builder.cancellations);
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("A saga needs at least one step");
        }
        for (int i = 0; i < steps.size(); i++) {
            Step<S, ?> step = steps.get(i);
            Objects.requireNonNull(step.command, () -> "step " + step.name + " sends no command");
            if (i > pivot && step.compensable()) {
                throw new IllegalArgumentException("step " + step.name + " comes after the pivot, "
                                                           + "where nothing is compensated");
            }
        }
        Step<S, ?> pivotStep = steps.get(pivot);
        if (!pivotStep.compensable() && pivotStep.deadline != null) {
            throw new IllegalArgumentException("pivot " + pivotStep.name + " has no compensation, so it is sent "
                                                       + "again until answered: it cannot time out");
        }
        messageTypes().forEach(this::keyAccessor);
    }

    /** Whether a message of this type is one this saga listens to, the engine's own events included. */
    boolean handles(Object payload) {
        if (payload instanceof ParticipantCommandFailed || payload instanceof SagaEndRequested) {
            return true;
        }
        return keyAccessors.containsKey(payload.getClass());
    }

    /** Begins the definition of a saga type; {@code type} names it on the dashboard, in metrics and in logs. */
    public static <S extends SagaInstance> Builder<S> of(String type, Class<S> stateType, Supplier<S> newState) {
        return new Builder<>(type, stateType, newState);
    }

    public String type() {
        return type;
    }

    public Class<S> stateType() {
        return stateType;
    }

    public String associationProperty() {
        return associationProperty;
    }

    /**
     * Whether a saga at this step only goes forward, so that neither a cancellation nor an operator can stop it: past
     * the pivot, or at a pivot that {@linkplain #settlesByReply() settles by its reply}.
     */
    public boolean onlyGoesForwardAt(String step) {
        int from = settlesByReply() ? pivot : pivot + 1;
        return steps.subList(from, steps.size()).stream().anyMatch(later -> later.name.equals(step))
                || success.name.equals(step);
    }

    /**
     * Whether the pivot has no compensation. Such a pivot cannot be undone once sent, a refund say, so the engine
     * waits for its participant's answer: it sends it again every retry interval until it is done or refused, and
     * neither a timeout, a failed command, a cancellation nor an operator compensates the steps before it meanwhile.
     */
    public boolean settlesByReply() {
        return !steps.get(pivot).compensable();
    }

    /** The states a saga of this type ends in: on success, then on failure. */
    public List<String> endStates() {
        return List.of(succeeded, failed);
    }

    /** Every event type this saga listens to. */
    public List<Class<?>> messageTypes() {
        List<Class<?>> types = new ArrayList<>();
        types.add(startEvent);
        allSteps().forEach(step -> step.replies.forEach(reply -> types.add(reply.type())));
        cancellations.forEach(cancellation -> types.add(cancellation.type()));
        return types.stream().distinct().toList();
    }

    List<Step<S, ?>> allSteps() {
        List<Step<S, ?>> all = new ArrayList<>(steps);
        all.add(success);
        all.add(failure);
        return all;
    }

    /** The key a message of this saga names, read from its association property; null when it names none. */
    public String keyOf(Object payload) {
        if (payload instanceof ParticipantCommandFailed failed) {
            return failed.sagaType().equals(type) ? failed.sagaKey() : null;
        }
        if (payload instanceof SagaEndRequested end) {
            return end.sagaType().equals(type) ? end.sagaKey() : null;
        }
        Method accessor = keyAccessors.get(payload.getClass());
        if (accessor == null) {
            return null;
        }
        try {
            Object key = accessor.invoke(payload);
            return key == null ? null : key.toString();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Could not read " + associationProperty + " of " + payload, e);
        }
    }

    private void keyAccessor(Class<?> messageType) {
        try {
            Method accessor = messageType.getMethod(associationProperty);
            accessor.setAccessible(true);
            keyAccessors.put(messageType, accessor);
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException(messageType.getSimpleName() + " has no " + associationProperty
                                                       + "(): saga " + type + " cannot be associated with it");
        }
    }

    /** Declares a saga type top to bottom, in the order the process runs. */
    public static final class Builder<S extends SagaInstance> {

        private final String type;
        private final Class<S> stateType;
        private final Supplier<S> newState;
        private String associationProperty;
        private Class<?> startEvent;
        private BiConsumer<S, Object> onStart;
        private final List<Step<S, ?>> steps = new ArrayList<>();
        private int pivot = -1;
        private Step<S, S> success;
        private String succeeded;
        private Step<S, S> failure;
        private String failed;
        private final List<Cancellation> cancellations = new ArrayList<>();

        private Builder(String type, Class<S> stateType, Supplier<S> newState) {
            this.type = Objects.requireNonNull(type);
            this.stateType = Objects.requireNonNull(stateType);
            this.newState = Objects.requireNonNull(newState);
        }

        /** The property, named as its accessor, by which every message of one saga names it: {@code bookingId}, say. */
        public Builder<S> associatedBy(String property) {
            this.associationProperty = property;
            return this;
        }

        /** The event that starts a saga, and what the saga takes from it. */
        @SuppressWarnings("unchecked")
        public <E> Builder<S> startedBy(Class<E> event, BiConsumer<S, E> takeFrom) {
            this.startEvent = event;
            this.onStart = (saga, payload) -> takeFrom.accept(saga, (E) payload);
            return this;
        }

        public Builder<S> step(Step<S, ?> step) {
            steps.add(step);
            return this;
        }

        /** The step after whose success the saga only goes forward: the last that can still be undone. */
        public Builder<S> pivot(Step<S, ?> step) {
            steps.add(step);
            pivot = steps.size() - 1;
            return this;
        }

        /** An event that cancels a saga that has not passed its pivot; its failure gives {@code reason}. */
        public Builder<S> cancelledBy(Class<?> event, String reason) {
            cancellations.add(new Cancellation(event, reason));
            return this;
        }

        /** The step that records success once every step is done, and the state the saga then ends in. */
        public Builder<S> succeedWith(Step<S, S> step, String endState) {
            this.success = step;
            this.succeeded = endState;
            return this;
        }

        /**
         * The step that records failure once every compensation is acknowledged, and the state the saga then ends
         * in. A refusal of this step ends the saga too: there is nothing left to undo.
         */
        public Builder<S> failWith(Step<S, S> step, String endState) {
            this.failure = step;
            this.failed = endState;
            return this;
        }

        public SagaDefinition<S> build() {
            return new SagaDefinition<>(this);
        }
    }
}
