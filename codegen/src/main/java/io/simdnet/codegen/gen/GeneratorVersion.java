package io.simdnet.codegen.gen;

/**
 * Version of the generators' output. Bump it whenever generated source changes for the same spec: the run-time
 * disk cache is keyed by it, so stale compiled kernels are never loaded.
 */
public final class GeneratorVersion {

    public static final int VERSION = 1;

    private GeneratorVersion() {
    }
}
