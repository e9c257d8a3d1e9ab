package org.sagaengine.order.view;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sagaengine.engine.SagaTimeouts;
import org.sagaengine.order.saga.OrderSaga;
import org.sagaengine.order.saga.ReturnSaga;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The saga view stays fast with 100,000 sagas stored: on real PostgreSQL with the service's real migrations, every
 * list the dashboard asks for (all, by state, stuck, by the start of an order id) is read through an index, newest
 * first, never by scanning every saga.
 */
class SagaListIndexTest {

    static final int SAGAS = 100_000;

    static EmbeddedPostgres postgres;
    static JdbcClient jdbc;
    static SagaViewQueries queries;

    @BeforeAll
    static void storeAHundredThousandSagas() throws IOException {
        postgres = EmbeddedPostgres.builder().start();
        Flyway.configure()
              .dataSource(postgres.getPostgresDatabase())
              .locations("classpath:db/axon", "classpath:db/migration")
              .load()
              .migrate();
        jdbc = JdbcClient.create(postgres.getPostgresDatabase());
        // One in twenty still running, one in a hundred compensating, the rest finished; a few running ones overdue.
        // The unfinished ones entered their step a moment ago, but for the overdue ones.
        jdbc.sql("""
                 insert into saga_step (saga_type, saga_key, step, state, detail, started_at, updated_at, due_at)
                 select case when i % 7 = 0 then 'return' else 'order' end, md5(i::text),
                        case when i % 20 = 0 then 'CHARGING_PAYMENT' when i % 100 = 1 then 'COMPENSATING'
                             when i % 3 = 0 then 'REJECTED' else 'CONFIRMED' end,
                        case when i % 20 = 0 then 'RUNNING' when i % 100 = 1 then 'COMPENSATING'
                             when i % 3 = 0 then 'REJECTED' else 'CONFIRMED' end,
                        null,
                        now() - make_interval(secs => ?::int - i),
                        case when (i % 20 = 0 or i % 100 = 1) and i % 1000 <> 0 then now()
                             else now() - make_interval(secs => ?::int - i) end,
                        case when i % 20 = 0 or i % 100 = 1
                             then now() + make_interval(secs => case when i % 1000 = 0 then -600 else 30 end) end
                   from generate_series(1, ?) as i
                 """)
            .params(SAGAS, SAGAS, SAGAS)
            .update();
        jdbc.sql("analyze saga_step").update();
        queries = new SagaViewQueries(jdbc, new SagaTimeouts(null, null, null), new SimpleMeterRegistry(),
                                      List.of(OrderSaga.DEFINITION, ReturnSaga.DEFINITION));
    }

    @AfterAll
    static void stop() throws IOException {
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void everyListTheDashboardShowsIsReadThroughAnIndex() {
        List<String> filters = new ArrayList<>(queries.states());
        filters.add(null);
        for (String state : filters) {
            assertIndexed(queries.listQuery(null, state, null, 50, 0), "state " + state);
            assertIndexed(queries.listQuery(null, state, null, 50, 950), "state " + state + ", page 20");
            assertIndexed(queries.listQuery("return", state, null, 50, 0), "type and state " + state);
        }
        assertIndexed(queries.listQuery(null, null, "c4ca4", 50, 0), "key prefix");
        assertIndexed(queries.listQuery(null, "CONFIRMED", "c4ca4", 50, 0), "state and key prefix");
        assertIndexed(queries.listQuery("order", null, null, 50, 950), "type, page 20");
    }

    @Test
    void findsWhatTheIndexesServe() {
        assertThat(queries.sagas(null, "STUCK", null, 500, 0)).hasSize(SAGAS / 1000)
                                                     .allMatch(SagaViewQueries.SagaSummary::overdue);
        assertThat(queries.sagas(null, null, "c4ca4238a0b923820dcc509a6f75849b", 50, 0))
                .singleElement().extracting(SagaViewQueries.SagaSummary::key)
                .isEqualTo("c4ca4238a0b923820dcc509a6f75849b");
        assertThat(queries.counts("return")).containsEntry("RUNNING", (long) SAGAS / 140);
        assertThat(queries.sagas("return", "RUNNING", null, 500, 0)).hasSize(500)
                                                                   .allMatch(saga -> saga.type().equals("return"));
        assertThat(queries.counts(null)).containsEntry("RUNNING", (long) SAGAS / 20)
                                    .containsEntry("STUCK", (long) SAGAS / 1000);
    }

    @Test
    void aSagaResendingInOneStepForLongerThanTheBoundIsStuck() {
        jdbc.sql("""
                 insert into saga_step (saga_type, saga_key, step, state, detail, started_at, updated_at, due_at)
                 values ('order', 'resending-for-ever', 'COMPENSATING', 'COMPENSATING', 'unknown product: nope',
                         now() - interval '20 minutes', now() - interval '20 minutes', now() + interval '5 seconds')
                 """).update();
        try {
            assertThat(queries.sagas("order", "STUCK", "resending", 10, 0)).singleElement()
                                                                  .matches(SagaViewQueries.SagaSummary::overdue);
            assertThat(queries.counts(null)).containsEntry("STUCK", (long) SAGAS / 1000 + 1);
            assertThat(queries.countsByType()).containsOnlyKeys("order", "return");
        } finally {
            jdbc.sql("delete from saga_step where saga_key = 'resending-for-ever'").update();
        }
    }

    private static void assertIndexed(SagaViewQueries.Query query, String what) {
        String plan = String.join("\n", jdbc.sql("explain " + query.sql()).params(query.params())
                                           .query(String.class).list());
        assertThat(plan).as("plan for %s:%n%s", what, plan)
                        .doesNotContain("Seq Scan on saga_step")
                        .containsPattern("Index (Only )?Scan|Bitmap Index Scan");
        String run = String.join("\n", jdbc.sql("explain analyze " + query.sql()).params(query.params())
                                          .query(String.class).list());
        long discarded = Pattern.compile("Rows Removed by Filter: (\\d+)").matcher(run).results()
                                .mapToLong(match -> Long.parseLong(match.group(1))).sum();
        assertThat(discarded).as("rows read and thrown away for %s:%n%s", what, run).isLessThan(SAGAS / 10);
    }
}
