package io.simdnet.engine.kernel;

import java.util.Locale;

/**
 * When kernels are autotuned, {@code -Dsimdnet.tune=off|lazy|eager} (or {@code $SIMDNET_TUNE}); default lazy.
 * Tuning records already on disk or shipped in the jar for this machine serve in lazy and eager alike.
 */
public enum TuningMode {
    /** No tuning and no records: every spec runs its default variant, the same on every machine of one vector width. */
    OFF,
    /** A spec without a record is tuned in a background thread the first time a layer calls it; the default serves meanwhile. */
    LAZY,
    /** A spec without a record is tuned on the first call, before that call computes. */
    EAGER;

    public static final String PROPERTY = "simdnet.tune";
    public static final String ENVIRONMENT = "SIMDNET_TUNE";

    /** The process's mode: the property, else the environment variable, else {@link #LAZY}. */
    public static TuningMode configured() {
        String text = System.getProperty(PROPERTY);
        String source = "-D" + PROPERTY;
        if (text == null || text.isBlank()) {
            text = System.getenv(ENVIRONMENT);
            source = "$" + ENVIRONMENT;
        }
        return text == null || text.isBlank() ? LAZY : parse(source, text);
    }

    static TuningMode parse(String source, String text) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "off" -> OFF;
            case "lazy" -> LAZY;
            case "eager" -> EAGER;
            default -> throw new IllegalArgumentException(source + " = \"" + text + "\": expected off, lazy or eager");
        };
    }
}
