package io.simdnet.kernel;

import io.simdnet.kernel.spec.Conv2dSpec;

/**
 * A 2-D convolution in double, NCHW activations and (outChannels, inChannels, kernelH, kernelW) weights, as in
 * PyTorch. {@code n} is the batch size. With a fused ReLU, the backward methods take the gradient with respect
 * to the convolution's output before the ReLU (the layer applies ReLU's mask first).
 */
public interface DoubleConv2dKernel extends Kernel {

    @Override
    Conv2dSpec spec();

    /** y = conv(x, weights) (+ bias per output channel) (then ReLU); bias is null when the spec has none. */
    void forward(int n, double[] x, double[] weights, double[] bias, double[] y);

    /** dx = the gradient with respect to x of Σ dy·y; dx is overwritten. */
    void backwardData(int n, double[] dy, double[] weights, double[] dx);

    /** dWeights (and dBias, when the spec has a bias; else null) = gradients summed over the batch; overwritten. */
    void backwardWeights(int n, double[] x, double[] dy, double[] dWeights, double[] dBias);
}
