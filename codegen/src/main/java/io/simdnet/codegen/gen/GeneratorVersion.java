package io.simdnet.codegen.gen;

/**
 * Version of the generators' output. Bump it whenever generated source changes for the same spec: the run-time
 * disk cache is keyed by it (and also compares the cached source with freshly generated source, so a
 * forgotten bump costs a recompilation, never a stale kernel).
 */
public final class GeneratorVersion {

    public static final int VERSION = 14;

    /**
     * The oldest generator whose shipped tuning records still serve: its records rank the variants as this version's
     * would. Raise it to {@link #VERSION} with any change that could reorder them (a new variant, one made faster or
     * slower against the others). Version 11 only vectorised the blocked convolutions' copies of whole channel blocks
     * between NCHW and the blocked layout: BLOCKED got faster where it already won, and the layers where another
     * variant won by 6-8× (three input channels, no whole block to copy) generate the same code. Version 12 made
     * BLOCKED's loops stop at the last input channel of a partial block and let BLOCKED compute strided layers: on the
     * partial-block layers of the shipped records (1, 3, 6 and 10 input channels) BLOCKED still ran 1.2-5.9× behind
     * DIRECT on a Zen 5 (family 26) after the change, and no shipped record is of a strided layer. Version 13 only
     * moved AUTO's strided layers below 512 bits back to IM2COL: the variants' code is unchanged. Version 14 stores
     * every row of a GEMM micro-kernel's tile without a test of the valid rows: the same arithmetic, no branch for C2
     * to turn into a trap, so every variant's steady speed is unchanged.
     */
    public static final int TUNING_COMPATIBLE_SINCE = 10;

    private GeneratorVersion() {
    }
}
