package io.simdnet.engine.ops;

import io.simdnet.engine.kernel.KernelRegistry;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;
import io.simdnet.kernel.DoubleConv2dKernel;
import io.simdnet.kernel.FloatConv2dKernel;
import io.simdnet.kernel.spec.Conv2dSpec;

/** A generated convolution kernel seen through tensors of either element type. */
public final class Conv2dOp {

    private final Conv2dSpec spec;
    private final FloatConv2dKernel floatKernel;
    private final DoubleConv2dKernel doubleKernel;

    /** The registry's kernels for {@code spec}, whose element type must match {@code dtype}. */
    public Conv2dOp(DType dtype, Conv2dSpec spec) {
        this.spec = spec;
        KernelRegistry registry = KernelRegistry.global();
        this.floatKernel = dtype == DType.F32 ? registry.floatConv2d(spec) : null;
        this.doubleKernel = dtype == DType.F64 ? registry.doubleConv2d(spec) : null;
    }

    public Conv2dSpec spec() {
        return spec;
    }

    public void forward(int n, Tensor x, Tensor weight, Tensor bias, Tensor y) {
        if (floatKernel != null) {
            floatKernel.forward(n, x.floats(), weight.floats(), bias == null ? null : bias.floats(), y.floats());
        } else {
            doubleKernel.forward(n, x.doubles(), weight.doubles(), bias == null ? null : bias.doubles(), y.doubles());
        }
    }

    public void backwardData(int n, Tensor dy, Tensor weight, Tensor dx) {
        if (floatKernel != null) {
            floatKernel.backwardData(n, dy.floats(), weight.floats(), dx.floats());
        } else {
            doubleKernel.backwardData(n, dy.doubles(), weight.doubles(), dx.doubles());
        }
    }

    public void backwardWeights(int n, Tensor x, Tensor dy, Tensor dWeight, Tensor dBias) {
        if (floatKernel != null) {
            floatKernel.backwardWeights(n, x.floats(), dy.floats(), dWeight.floats(), dBias == null ? null : dBias.floats());
        } else {
            doubleKernel.backwardWeights(n, x.doubles(), dy.doubles(), dWeight.doubles(), dBias == null ? null : dBias.doubles());
        }
    }
}
