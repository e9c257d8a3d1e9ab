package org.sagaengine.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The report's table of the statements run most often: a row each, most frequent first as counted, and a statement's
 * text kept whole inside its table cell.
 */
class SpeedReportTest {

    @Test
    void eachStatementIsARowAndItsTextCannotBreakTheTable() {
        String table = SpeedReport.heaviest(List.of(
                new SqlCensus.Counted("orders", 14.04, "SAVEPOINT $1"),
                new SqlCensus.Counted("events", 6.0, "SELECT a || b FROM t WHERE c = `d`")));

        assertThat(table.lines().filter(line -> line.startsWith("| ")).toList()).containsExactly(
                "| database | per order | statement |",
                "| --- | --- | --- |",
                "| orders | 14.0 | `SAVEPOINT $1` |",
                "| events | 6.0 | `SELECT a \\|\\| b FROM t WHERE c = 'd'` |");
    }

    @Test
    void aRunRecordedWithoutTheStatementsHasNoTable() {
        assertThat(SpeedReport.heaviest(null)).isEmpty();
        assertThat(SpeedReport.heaviest(List.of())).isEmpty();
    }
}
