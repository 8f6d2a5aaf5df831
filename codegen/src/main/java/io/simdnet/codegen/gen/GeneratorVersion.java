package io.simdnet.codegen.gen;

/**
 * Version of the generators' output. Bump it whenever generated source changes for the same spec: the run-time
 * disk cache is keyed by it (and also compares the cached source with freshly generated source, so a
 * forgotten bump costs a recompilation, never a stale kernel).
 */
public final class GeneratorVersion {

    public static final int VERSION = 10;

    private GeneratorVersion() {
    }
}
