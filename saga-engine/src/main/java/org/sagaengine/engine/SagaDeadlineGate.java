package org.sagaengine.engine;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import org.axonframework.messaging.ScopeDescriptor;
import org.axonframework.modelling.saga.SagaScopeDescriptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds a saga's deadline in the scheduler, without loading the saga, while the saga's processor has not read every
 * event stored before the deadline fell due.
 * <p>
 * A deadline acts only on what its saga knows (see {@link SagaMachine}), so a saga whose processor is behind would
 * load itself, find it cannot act yet, schedule the deadline again and store itself: several reads and writes of the
 * saga, and a lock on it that the processor then waits for, each time a deadline that falls due looks. Under
 * overload most sagas take longer than the retry interval, so most retries would. A scheduler that persists deadlines
 * asks this gate first, and, while it says hold, puts the same deadline back, due again after 1, 2, 4, then every
 * 8 s, under the same id, so that a saga can still cancel it.
 * <p>
 * The position a deadline waits for is fixed when it first falls due, as the saga itself would fix it, and handed to
 * the saga when the deadline runs, so that the saga acts at once instead of waiting again for a later position. It is
 * kept in memory, for at most {@link #REMEMBERED} deadlines: a deadline forgotten (the process restarted, or too many
 * are held) fixes its position again the next time it falls due, which only makes it wait a little longer.
 * Deadlines of other scopes, and of sagas whose stream cannot tell its positions, run at once.
 */
public final class SagaDeadlineGate {

    static final int REMEMBERED = 100_000;

    private static final Logger log = LoggerFactory.getLogger(SagaDeadlineGate.class);
    private static final ThreadLocal<Long> waitedFor = new ThreadLocal<>();

    /** A held deadline: the position it waits for, and how often it has been held. */
    private record Held(long waitsFor, int times) {
    }

    private final Map<String, StreamPosition> positions;
    private final Map<String, Held> held = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Held> eldest) {
            return size() > REMEMBERED;
        }
    };

    /**
     * @param positions each saga type's position in the event stream, by Axon's saga scope type: the simple name of
     *                  the saga's state class
     */
    SagaDeadlineGate(Map<String, StreamPosition> positions) {
        this.positions = Map.copyOf(positions);
    }

    /**
     * Runs a deadline that fell due, unless its saga's processor has not yet read every event stored before it first
     * fell due.
     *
     * @param scope      the deadline's scope
     * @param deadlineId the deadline's id, the same each time it falls due again
     * @param deadline   delivers the deadline to its scope
     * @return empty when the deadline ran; else how long to hold it before asking again
     */
    public Optional<Duration> runOrHold(ScopeDescriptor scope, String deadlineId, Runnable deadline) {
        StreamPosition position = scope instanceof SagaScopeDescriptor saga ? positions.get(saga.getType()) : null;
        if (position == null) {
            deadline.run();
            return Optional.empty();
        }
        Held before;
        synchronized (held) {
            before = held.get(deadlineId);
        }
        long waitsFor;
        if (before != null) {
            waitsFor = before.waitsFor();
        } else {
            OptionalLong stored = position.storedUpTo();
            if (stored.isEmpty()) {
                deadline.run();
                return Optional.empty();
            }
            waitsFor = stored.getAsLong();
        }
        if (!position.hasRead(waitsFor)) {
            int times = before == null ? 0 : before.times();
            Duration wait = SagaMachine.waitAfter(times);
            synchronized (held) {
                held.put(deadlineId, new Held(waitsFor, times + 1));
            }
            if (before == null) {
                log.info("Deadline {} of {} fell due while its processor has not read up to {}; held for {}",
                         deadlineId, scope.scopeDescription(), waitsFor, wait);
            } else {
                log.debug("Deadline {} of {} held again for {}", deadlineId, scope.scopeDescription(), wait);
            }
            return Optional.of(wait);
        }
        synchronized (held) {
            held.remove(deadlineId);
        }
        waitedFor.set(waitsFor);
        try {
            deadline.run();
        } finally {
            waitedFor.remove();
        }
        return Optional.empty();
    }

    /**
     * While a deadline the gate held runs: the position its processor has read up to since, which the saga takes as
     * the position its deadline waits for.
     */
    static OptionalLong waitedFor() {
        Long position = waitedFor.get();
        return position == null ? OptionalLong.empty() : OptionalLong.of(position);
    }
}
