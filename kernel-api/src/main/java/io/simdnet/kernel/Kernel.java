package io.simdnet.kernel;

import io.simdnet.kernel.spec.KernelSpec;

/** A compiled kernel: generated for one spec, or the generic fallback serving it. */
public interface Kernel {

    /** The spec this kernel computes. */
    KernelSpec spec();
}
