package io.simdnet.engine.kernel.tuning;

import java.util.Locale;

/**
 * When kernels are autotuned, {@code -Dsimdnet.tune=off|records|lazy|eager} (or {@code $SIMDNET_TUNE}); default
 * records. Tuning records already on disk or shipped in the jar for this machine serve in every mode but off.
 *
 * <p>Why the default does not tune: measured on two cores (Zen 4, {@code -XX:UseAVX=2}, no records), a lazy
 * first run of lenet5 took 55.0 s against 38.8 s untuned, and the measurements, made beside the training, were
 * too noisy for any variant to clear the margin: every default was kept. Tuning pays when asked for on an idle
 * machine ({@code bin/simdnet tune}), or with cores to spare.
 */
public enum TuningMode {
    /** No tuning and no records: every spec runs its default variant, the same on every machine of one vector width. */
    OFF,
    /** Records serve; a spec without one runs its default variant, and nothing is measured during a run. */
    RECORDS,
    /** A spec without a record is tuned in a background thread the first time a layer calls it; the default serves meanwhile. */
    LAZY,
    /** A spec without a record is tuned on the first call, before that call computes. */
    EAGER;

    public static final String PROPERTY = "simdnet.tune";
    public static final String ENVIRONMENT = "SIMDNET_TUNE";

    /** The process's mode: the property, else the environment variable, else {@link #RECORDS}. */
    public static TuningMode configured() {
        String text = System.getProperty(PROPERTY);
        String source = "-D" + PROPERTY;
        if (text == null || text.isBlank()) {
            text = System.getenv(ENVIRONMENT);
            source = "$" + ENVIRONMENT;
        }
        return text == null || text.isBlank() ? RECORDS : parse(source, text);
    }

    /**
     * Checks {@code -Dsimdnet.tune} (or {@code $SIMDNET_TUNE}) and {@code -Dsimdnet.tune.budget}, throwing an
     * exception naming the bad one; bin/simdnet calls it first, since the registry (made in a static
     * initializer) only warns and falls back to the defaults.
     */
    public static void checkSettings() {
        configured();
        KernelTuning.configuredBudget();
    }

    static TuningMode parse(String source, String text) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "off" -> OFF;
            case "records" -> RECORDS;
            case "lazy" -> LAZY;
            case "eager" -> EAGER;
            default -> throw new IllegalArgumentException(source + " = \"" + text + "\": expected off, records, lazy or eager");
        };
    }
}
