package org.sagaengine.benchmarks;

import java.util.List;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * A ladder of open-loop arrival rates, each 50% above the last, climbed until a rate is not kept up with: the highest
 * rate kept up with is the maximum.
 * <p>
 * One step is a few seconds, so one pause of the machine (a checkpoint, a collection, the host taking the CPU) can
 * decide it. The first rate the ladder misses is therefore tried once more, once per ladder: where the second try is
 * kept up with, the ladder goes on; where it misses too, the ladder ends there. Both tries are among the points, so a
 * report shows the miss.
 */
final class Ladder {

    /** One step: the rate offered for the step's time, and how it went. */
    @FunctionalInterface
    interface Step {
        Speed.Point at(double rate) throws Exception;
    }

    private Ladder() {
    }

    /**
     * Climbs from {@code first} to at most {@code top}, adding each step's point to {@code points}, and says when it
     * tries a rate again.
     *
     * @return the highest rate kept up with; 0 where the first was not
     */
    static double climb(double first, double top, Step step, List<Speed.Point> points, Consumer<String> say)
            throws Exception {
        double max = 0;
        boolean triedAgain = false;
        for (double rate = first; rate <= top; rate *= 1.5) {
            Speed.Point point = step.at(rate);
            points.add(point);
            if (!point.keptUp() && !triedAgain) {
                triedAgain = true;
                say.accept("%.0f/s not kept up with; trying it once more".formatted(rate));
                point = step.at(rate);
                points.add(point);
            }
            if (!point.keptUp()) {
                break;
            }
            max = rate;
        }
        return max;
    }

    /** The points to draw: of a rate tried twice, the second try only. */
    static List<Speed.Point> lastTries(List<Speed.Point> points) {
        return IntStream.range(0, points.size())
                        .filter(i -> i + 1 == points.size() || points.get(i + 1).offered() != points.get(i).offered())
                        .mapToObj(points::get).toList();
    }
}
