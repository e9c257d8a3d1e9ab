package org.sagaengine.order.saga;

import javax.sql.DataSource;

import org.axonframework.deadline.dbscheduler.DbSchedulerDeadlineManager;
import org.axonframework.deadline.dbscheduler.DbSchedulerDeadlineToken;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Axon's db-scheduler deadline manager, except that cancelling a deadline is one statement, and cancelling one that
 * has just fired, or is firing, is not an error. The saga cancels deadlines it no longer needs as an optimisation
 * only: each deadline handler checks the step the saga is at, so a deadline that escapes cancellation does nothing.
 * Failing the saga's transaction because a cancellation lost that race would be the real harm.
 * <p>
 * db-scheduler's own cancel reads the deadline's row, refuses it if it is being executed, then deletes it at the
 * version it read: two statements per cancelled deadline. Deleting the row only while it is not being executed
 * ({@code picked}) does the same in one. Once the scheduler has picked a deadline, the delete leaves it, as its
 * cancel would have; a deadline that has fired has no row left to delete. Like the rest of the saga's work the
 * delete runs in the unit of work's transaction, at its prepare-commit, and rolls back with it.
 */
class TolerantDeadlineManager extends DbSchedulerDeadlineManager {

    private static final Logger log = LoggerFactory.getLogger(TolerantDeadlineManager.class);

    private final JdbcClient jdbc;

    /** @param dataSource the database the deadline scheduler keeps its table in */
    TolerantDeadlineManager(Builder builder, DataSource dataSource) {
        super(builder);
        this.jdbc = JdbcClient.create(dataSource);
    }

    @Override
    public void cancelSchedule(String deadlineName, String scheduleId) {
        runOnPrepareCommitOrNow(() -> {
            int deleted = jdbc.sql("""
                                   delete from scheduled_tasks
                                   where task_name = ? and task_instance = ? and not picked""")
                              .params(new DbSchedulerDeadlineToken(scheduleId).getTaskName(), scheduleId)
                              .update();
            if (deleted == 0) {
                log.debug("Deadline {} ({}) was not cancelled: it has fired, or is firing", deadlineName, scheduleId);
            }
        });
    }
}
