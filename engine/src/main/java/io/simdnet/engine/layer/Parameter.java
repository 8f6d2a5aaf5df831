package io.simdnet.engine.layer;

import io.simdnet.engine.tensor.Tensor;

/**
 * A named tensor a layer owns: a trainable parameter (with its gradient, written by the layer's backward) or
 * non-trainable state such as batch norm's running statistics (no gradient). {@code name} is local to the layer
 * ({@code weight}, {@code bias}, {@code running_mean}); models prefix the layer's name, PyTorch style.
 *
 * @param pytorchTransposed the file form (safetensors) is the transpose of this 2-D value, as for a dense layer,
 *     whose weight we keep as (in, out) for the forward GEMM while PyTorch's Linear keeps (out, in)
 */
public record Parameter(String name, Tensor value, Tensor gradient, boolean pytorchTransposed) {

    public static Parameter trainable(String name, Tensor value) {
        return new Parameter(name, value, Tensor.zeros(value.dtype(), value.shape()), false);
    }

    public static Parameter state(String name, Tensor value) {
        return new Parameter(name, value, null, false);
    }

    public boolean trainable() {
        return gradient != null;
    }

    /** This parameter under a longer name (the model's prefix). */
    public Parameter named(String fullName) {
        return new Parameter(fullName, value, gradient, pytorchTransposed);
    }
}
