package org.sagaengine.platform.web;

/** What the REST APIs accept as an id of a product, account or order: safe in a URL path and a log line. */
public final class Ids {

    public static final String PATTERN = "[A-Za-z0-9][A-Za-z0-9._-]{0,63}";
    public static final String DESCRIPTION = "letters, digits, '.', '_' or '-', at most 64";

    /**
     * What a name (of a product, an account's owner) may not contain: control characters (a NUL, which PostgreSQL
     * cannot store in text, or a terminal escape) and the bidirectional overrides that make text read otherwise than
     * it is stored.
     */
    public static final String PRINTABLE = "[^\\p{Cc}\\u202A-\\u202E\\u2066-\\u2069]*";
    public static final String PRINTABLE_DESCRIPTION = "no control characters or direction overrides";

    private Ids() {
    }
}
