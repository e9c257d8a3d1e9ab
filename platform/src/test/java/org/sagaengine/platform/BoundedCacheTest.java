package org.sagaengine.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.axonframework.common.caching.Cache;
import org.junit.jupiter.api.Test;

class BoundedCacheTest {

    @Test
    void keepsItsEntriesThroughAGarbageCollection() {
        BoundedCache cache = new BoundedCache(100);
        for (int i = 0; i < 50; i++) {
            cache.put("aggregate-" + i, new StringBuilder("state ").append(i));
        }

        System.gc();

        for (int i = 0; i < 50; i++) {
            assertThat(cache.<String, Object>get("aggregate-" + i)).hasToString("state " + i);
        }
    }

    @Test
    void holdsNoMoreThanItsSizeAndSaysWhichItGaveUp() {
        BoundedCache cache = new BoundedCache(10);
        List<Object> expired = new ArrayList<>();
        cache.registerCacheEntryListener(new Cache.EntryListenerAdapter() {
            @Override
            public void onEntryExpired(Object key) {
                expired.add(key);
            }
        });

        for (int i = 0; i < 25; i++) {
            cache.put("aggregate-" + i, "state " + i);
        }

        assertThat(cache.size()).isEqualTo(10);
        assertThat(expired).hasSize(15).doesNotHaveDuplicates();
        expired.forEach(key -> assertThat(cache.containsKey(key)).isFalse());
    }

    @Test
    void tellsItsListenersWhatChanged() {
        BoundedCache cache = new BoundedCache(10);
        List<String> seen = new ArrayList<>();
        var registration = cache.registerCacheEntryListener(new Cache.EntryListenerAdapter() {
            @Override
            public void onEntryCreated(Object key, Object value) {
                seen.add("created " + key + "=" + value);
            }

            @Override
            public void onEntryUpdated(Object key, Object value) {
                seen.add("updated " + key + "=" + value);
            }

            @Override
            public void onEntryRead(Object key, Object value) {
                seen.add("read " + key + "=" + value);
            }

            @Override
            public void onEntryRemoved(Object key) {
                seen.add("removed " + key);
            }
        });

        cache.put("a", 1);
        cache.put("a", 2);
        assertThat(cache.putIfAbsent("a", 3)).isFalse();
        assertThat(cache.putIfAbsent("b", 1)).isTrue();
        cache.<String, Integer>get("a");
        cache.<String, Integer>get("absent");
        cache.<Integer>computeIfPresent("b", value -> value + 1);
        assertThat(cache.remove("a")).isTrue();
        assertThat(cache.remove("a")).isFalse();
        registration.cancel();
        cache.put("c", 1);

        assertThat(seen).containsExactly("created a=1", "updated a=2", "created b=1", "read a=2", "updated b=2",
                                         "removed a");
    }

    @Test
    void computesAValueOnlyWhenItHasNone() {
        BoundedCache cache = new BoundedCache(10);

        assertThat(cache.computeIfAbsent("a", () -> "first")).isEqualTo("first");
        assertThat(cache.computeIfAbsent("a", () -> "second")).isEqualTo("first");
        assertThatThrownBy(() -> cache.computeIfAbsent("b", () -> null)).isInstanceOf(IllegalArgumentException.class);
        assertThat(cache.containsKey("b")).isFalse();

        cache.removeAll();
        assertThat(cache.containsKey("a")).isFalse();
    }

    @Test
    void refusesANegativeSize() {
        assertThatThrownBy(() -> new BoundedCache(-1)).isInstanceOf(IllegalArgumentException.class)
                                                      .hasMessageContaining("-1");
    }
}
