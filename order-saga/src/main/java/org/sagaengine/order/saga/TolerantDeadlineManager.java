package org.sagaengine.order.saga;

import com.github.kagkarlsson.scheduler.Scheduler;
import org.axonframework.deadline.dbscheduler.DbSchedulerDeadlineManager;
import org.axonframework.deadline.dbscheduler.DbSchedulerDeadlineToken;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Axon's db-scheduler deadline manager, except that cancelling a deadline that has just fired, or is firing, is not
 * an error. The saga cancels deadlines it no longer needs as an optimisation only: each deadline handler checks the
 * step the saga is at, so a deadline that escapes cancellation does nothing. Failing the saga's transaction because
 * a cancellation lost that race would be the real harm.
 */
class TolerantDeadlineManager extends DbSchedulerDeadlineManager {

    private static final Logger log = LoggerFactory.getLogger(TolerantDeadlineManager.class);

    private final Scheduler scheduler;

    TolerantDeadlineManager(Builder builder, Scheduler scheduler) {
        super(builder);
        this.scheduler = scheduler;
    }

    @Override
    public void cancelSchedule(String deadlineName, String scheduleId) {
        runOnPrepareCommitOrNow(() -> {
            try {
                scheduler.cancel(new DbSchedulerDeadlineToken(scheduleId));
            } catch (RuntimeException firedOrFiring) {
                log.debug("Deadline {} ({}) was not cancelled: {}", deadlineName, scheduleId,
                          firedOrFiring.getMessage());
            }
        });
    }
}
