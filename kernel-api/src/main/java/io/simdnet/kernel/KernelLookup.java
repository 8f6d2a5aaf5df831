package io.simdnet.kernel;

import io.simdnet.kernel.spec.GemmSpec;
import io.simdnet.kernel.spec.KernelSpec;

/**
 * Where a kernel finds the kernels it calls (a convolution its GEMMs). The engine's registry is one; a
 * generated kernel that calls others receives it in its constructor and never names the registry.
 */
public interface KernelLookup {

    /** The kernel serving {@code spec}. */
    Kernel kernel(KernelSpec spec);

    default FloatGemmKernel floatGemm(GemmSpec spec) {
        requireType(spec, DType.F32);
        return (FloatGemmKernel) kernel(spec);
    }

    default DoubleGemmKernel doubleGemm(GemmSpec spec) {
        requireType(spec, DType.F64);
        return (DoubleGemmKernel) kernel(spec);
    }

    /** Fails with a message naming the spec when it does not compute in {@code expected}. */
    static void requireType(KernelSpec spec, DType expected) {
        if (spec.elementType() != expected) {
            throw new IllegalArgumentException("kernel spec '" + spec.key() + "' computes " + spec.elementType().primitive()
                    + ", but a " + expected.primitive() + " kernel was asked for");
        }
    }
}
