package org.sagaengine.order.domain;

public enum OrderStatus { PENDING, CONFIRMED, REJECTED }
