package org.sagaengine.launcher;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The invariants 1 to 4 of docs/architecture.md after a concurrent mixed workload against the embedded topology (see
 * {@link MixedWorkload}).
 */
@ExtendWith(RunningSystem.class)
class MixedWorkloadTest {

    @Test
    void everyOrderEndsAndStockAndMoneyAreConservedAndOutcomesAgree() throws Exception {
        new MixedWorkload(RunningSystem.system(), "workload").run();
    }
}
