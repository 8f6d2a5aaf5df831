package io.simdnet.kernel.spec;

import io.simdnet.kernel.DType;

/**
 * What one generated kernel computes. A spec is an immutable value: equal specs give the same source, and
 * {@link #key()} is the stable string that the build-time index and the run-time cache are keyed by.
 */
public sealed interface KernelSpec permits GemmSpec, Conv2dSpec, Pool2dSpec {

    /** A stable, human-readable string form that {@link #parse} reads back. */
    String key();

    /** Simple name of the generated class; unique per key. */
    String className();

    DType elementType();

    /** The vector width and register budget the kernel is generated for. */
    VectorTarget target();

    /** Parses one {@link #key()} or catalog line. */
    static KernelSpec parse(String text) {
        String trimmed = text.strip();
        String kind = trimmed.split("\\s+", 2)[0];
        return switch (kind) {
            case "gemm" -> GemmSpec.parse(trimmed);
            case "conv2d" -> Conv2dSpec.parse(trimmed);
            case "pool2d" -> Pool2dSpec.parse(trimmed);
            default -> throw new IllegalArgumentException("unknown kernel kind '" + kind + "' in spec '" + text + "': expected gemm, conv2d or pool2d");
        };
    }
}
