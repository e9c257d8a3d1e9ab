package org.sagaengine.platform.web;

/** What the REST APIs accept as an id of a product, account or order: safe in a URL path and a log line. */
public final class Ids {

    public static final String PATTERN = "[A-Za-z0-9][A-Za-z0-9._-]{0,63}";
    public static final String DESCRIPTION = "letters, digits, '.', '_' or '-', at most 64";

    private Ids() {
    }
}
