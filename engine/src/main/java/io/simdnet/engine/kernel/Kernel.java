package io.simdnet.engine.kernel;

import io.simdnet.codegen.spec.KernelSpec;

/** A compiled kernel: generated for one spec, or the generic fallback serving it. */
public interface Kernel {

    /** The spec this kernel computes. */
    KernelSpec spec();
}
