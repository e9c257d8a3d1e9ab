package org.sagaengine.order.domain;

import org.axonframework.common.caching.Cache;
import org.sagaengine.platform.BoundedCache;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration
class OrderConfiguration {

    /**
     * Commands for one order are routed to one node, so the node can keep the orders it handles in memory instead of
     * reading their events again for every command: the saga's {@code ConfirmOrder} or {@code RejectOrder} finds the
     * order that {@code PlaceOrder} created moments before. Up to {@code aggregate-cache-size} of them, the least used
     * given up first.
     */
    @Bean
    Cache orderCache(@Value("${sagaengine.aggregate-cache-size:10000}") long size) {
        return new BoundedCache(size);
    }
}
