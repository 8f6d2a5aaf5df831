package io.simdnet.codegen.gen;

/**
 * Version of the generators' output. Bump it whenever generated source changes for the same spec: the run-time
 * disk cache is keyed by it (and also compares the cached source with freshly generated source, so a
 * forgotten bump costs a recompilation, never a stale kernel).
 */
public final class GeneratorVersion {

    public static final int VERSION = 11;

    /**
     * The oldest generator whose shipped tuning records still serve: its records rank the variants as this version's
     * would. Raise it to {@link #VERSION} with any change that could reorder them (a new variant, one made faster or
     * slower against the others). Version 11 only vectorised the blocked convolutions' copies of whole channel blocks
     * between NCHW and the blocked layout: BLOCKED got faster where it already won, and the layers where another
     * variant won by 6-8× (three input channels, no whole block to copy) generate the same code.
     */
    public static final int TUNING_COMPATIBLE_SINCE = 10;

    private GeneratorVersion() {
    }
}
