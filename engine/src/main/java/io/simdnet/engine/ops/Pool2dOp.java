package io.simdnet.engine.ops;

import io.simdnet.engine.kernel.KernelRegistry;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;
import io.simdnet.kernel.DoublePool2dKernel;
import io.simdnet.kernel.FloatPool2dKernel;
import io.simdnet.kernel.Kernel;
import io.simdnet.kernel.KernelLookup;
import io.simdnet.kernel.spec.Pool2dSpec;

/** A generated pooling kernel seen through tensors of either element type. */
public final class Pool2dOp {

    private final Pool2dSpec spec;
    private final FloatPool2dKernel floatKernel;
    private final DoublePool2dKernel doubleKernel;

    public Pool2dOp(DType dtype, Pool2dSpec spec) {
        this.spec = spec;
        KernelLookup.requireType(spec, dtype);
        // Pooling has one variant: asked for as tunable only so that runs list it among the kernels served.
        Kernel kernel = KernelRegistry.global().tunable(spec).kernel(1);
        this.floatKernel = dtype == DType.F32 ? (FloatPool2dKernel) kernel : null;
        this.doubleKernel = dtype == DType.F64 ? (DoublePool2dKernel) kernel : null;
    }

    public Pool2dSpec spec() {
        return spec;
    }

    /** {@code argmax} is null for average pooling. */
    public void forward(int n, Tensor x, Tensor y, int[] argmax) {
        if (floatKernel != null) {
            floatKernel.forward(n, x.floats(), y.floats(), argmax);
        } else {
            doubleKernel.forward(n, x.doubles(), y.doubles(), argmax);
        }
    }

    public void backward(int n, Tensor dy, int[] argmax, Tensor dx) {
        if (floatKernel != null) {
            floatKernel.backward(n, dy.floats(), argmax, dx.floats());
        } else {
            doubleKernel.backward(n, dy.doubles(), argmax, dx.doubles());
        }
    }
}
