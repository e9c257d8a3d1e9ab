package org.sagaengine.order.view;

import java.util.List;
import java.util.Map;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import org.sagaengine.order.view.SagaViewQueries.SagaDetail;
import org.sagaengine.order.view.SagaViewQueries.SagaSummary;
import org.sagaengine.platform.web.ApiProblems.NotFound;
import org.sagaengine.platform.web.Ids;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * What the saga dashboard ({@code /dashboard/}) shows, as JSON, for sagas of every type: the sagas, their counts by
 * state (in all and per type), one saga's timeline.
 */
@RestController
class SagaViewController {

    private static final String TYPE = "[a-z][a-z0-9-]{0,31}";

    private final SagaViewQueries queries;

    SagaViewController(SagaViewQueries queries) {
        this.queries = queries;
    }

    @GetMapping("/sagas")
    List<SagaSummary> sagas(
            @RequestParam(required = false) @Pattern(regexp = TYPE) String type,
            @RequestParam(required = false) @Pattern(regexp = "[A-Z_]{1,32}") String state,
            @RequestParam(required = false) @Pattern(regexp = "[A-Za-z0-9._-]{1,64}") String key,
            @RequestParam(defaultValue = "50") @Min(1) @Max(500) int limit,
            @RequestParam(defaultValue = "0") @Min(0) @Max(1_000_000) int offset) {
        if (state != null && !queries.states().contains(state)) {
            throw new IllegalArgumentException("Unknown state " + state + "; known: " + queries.states() + ".");
        }
        return queries.sagas(known(type), state, key, limit, offset);
    }

    @GetMapping("/sagas/counts")
    Map<String, Long> counts(@RequestParam(required = false) @Pattern(regexp = TYPE) String type) {
        return queries.counts(known(type));
    }

    /** The counts of each saga type this service runs, by type: {@code {"order": {"RUNNING": 3, ...}}}. */
    @GetMapping("/sagas/types")
    Map<String, Map<String, Long>> types() {
        return queries.countsByType();
    }

    @GetMapping("/sagas/{type}/{key}")
    SagaDetail saga(@PathVariable @Pattern(regexp = TYPE) String type,
                    @PathVariable @Pattern(regexp = Ids.PATTERN) String key) {
        return queries.saga(type, key).orElseThrow(() -> new NotFound("No " + type + " saga " + key + "."));
    }

    private String known(String type) {
        if (type != null && !queries.types().contains(type)) {
            throw new IllegalArgumentException("Unknown saga type " + type + "; known: " + queries.types() + ".");
        }
        return type;
    }
}
