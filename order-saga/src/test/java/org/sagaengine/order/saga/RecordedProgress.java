package org.sagaengine.order.saga;

import java.util.ArrayList;
import java.util.List;

/** Remembers the steps the saga entered, so that a test can check what a person would be shown. */
class RecordedProgress implements SagaProgress {

    final List<SagaStep> steps = new ArrayList<>();

    @Override
    public void entered(String orderId, SagaStep step, String detail) {
        steps.add(step);
    }

    SagaStep current() {
        return steps.isEmpty() ? null : steps.get(steps.size() - 1);
    }
}
