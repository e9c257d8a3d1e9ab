package org.sagaengine.order.saga;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Remembers the steps the saga entered, so that a test can check what a person would be shown. */
class RecordedProgress implements SagaProgress {

    final List<SagaStep> steps = new ArrayList<>();
    final Set<String> orders = new HashSet<>();
    private SagaStep unrecordable;

    /** Makes recording this step fail, as a database that refuses the write would. */
    void failWhenEntering(SagaStep step) {
        unrecordable = step;
    }

    @Override
    public void entered(String orderId, SagaStep step, String detail) {
        if (step == unrecordable) {
            throw new IllegalStateException("cannot record " + step);
        }
        steps.add(step);
        orders.add(orderId);
    }

    @Override
    public void noted(String orderId, Entry kind, String name, String detail) {
    }

    @Override
    public void due(String orderId, Duration in) {
    }

    @Override
    public boolean hasRun(String orderId) {
        return orders.contains(orderId);
    }

    SagaStep current() {
        return steps.isEmpty() ? null : steps.get(steps.size() - 1);
    }
}
