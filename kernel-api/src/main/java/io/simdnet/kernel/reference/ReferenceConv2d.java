package io.simdnet.kernel.reference;

import io.simdnet.kernel.spec.Conv2dSpec;

/**
 * The direct seven-deep loops in double that every convolution kernel is held against: NCHW activations,
 * (outChannels, inChannels, kernelH, kernelW) weights, padding as zeros, as in PyTorch's {@code conv2d}.
 * {@code n} is the batch size; results are new arrays. With a fused ReLU the forward pass returns
 * max(z, 0); the backward passes take the gradient with respect to z, the output before the ReLU, which is
 * the convention of {@link io.simdnet.kernel.FloatConv2dKernel} (the layer applies ReLU's mask first).
 */
public final class ReferenceConv2d {

    private ReferenceConv2d() {
    }

    /** y = conv(x, w) (+ bias[oc]) (then ReLU when the spec fuses one); bias is read only when the spec has one. */
    public static double[] forward(Conv2dSpec spec, int n, double[] x, double[] w, double[] bias) {
        double[] y = new double[n * spec.outChannels() * spec.outHeight() * spec.outWidth()];
        for (int image = 0; image < n; image++) {
            for (int oc = 0; oc < spec.outChannels(); oc++) {
                for (int oh = 0; oh < spec.outHeight(); oh++) {
                    for (int ow = 0; ow < spec.outWidth(); ow++) {
                        double sum = spec.bias() ? bias[oc] : 0;
                        for (int c = 0; c < spec.inChannels(); c++) {
                            for (int i = 0; i < spec.kernelH(); i++) {
                                for (int j = 0; j < spec.kernelW(); j++) {
                                    int at = input(spec, image, c, oh, ow, i, j);
                                    if (at >= 0) {
                                        sum += x[at] * w[weight(spec, oc, c, i, j)];
                                    }
                                }
                            }
                        }
                        y[output(spec, image, oc, oh, ow)] = spec.relu() ? Math.max(sum, 0) : sum;
                    }
                }
            }
        }
        return y;
    }

    /** dx = ∂(Σ dy·z)/∂x, each input pixel collecting every tap that read it. */
    public static double[] backwardData(Conv2dSpec spec, int n, double[] dy, double[] w) {
        double[] dx = new double[n * spec.inChannels() * spec.height() * spec.width()];
        forEachTap(spec, n, (output, input, weight) -> dx[input] += dy[output] * w[weight]);
        return dx;
    }

    /** dW = ∂(Σ dy·z)/∂w, summed over the batch; all zeros when n == 0. */
    public static double[] backwardWeights(Conv2dSpec spec, int n, double[] x, double[] dy) {
        double[] dw = new double[spec.outChannels() * spec.patchSize()];
        forEachTap(spec, n, (output, input, weight) -> dw[weight] += dy[output] * x[input]);
        return dw;
    }

    /** dB[oc] = Σ over images and output pixels of dy; all zeros when n == 0. */
    public static double[] backwardBias(Conv2dSpec spec, int n, double[] dy) {
        double[] db = new double[spec.outChannels()];
        for (int image = 0; image < n; image++) {
            for (int oc = 0; oc < spec.outChannels(); oc++) {
                for (int oh = 0; oh < spec.outHeight(); oh++) {
                    for (int ow = 0; ow < spec.outWidth(); ow++) {
                        db[oc] += dy[output(spec, image, oc, oh, ow)];
                    }
                }
            }
        }
        return db;
    }

    /** One product of the convolution: output y[output] takes x[input]·w[weight]. */
    private interface Tap {
        void at(int output, int input, int weight);
    }

    /** Visits every (output, kernel tap) pair whose input pixel is not padding, in the forward pass's order. */
    private static void forEachTap(Conv2dSpec spec, int n, Tap tap) {
        for (int image = 0; image < n; image++) {
            for (int oc = 0; oc < spec.outChannels(); oc++) {
                for (int oh = 0; oh < spec.outHeight(); oh++) {
                    for (int ow = 0; ow < spec.outWidth(); ow++) {
                        for (int c = 0; c < spec.inChannels(); c++) {
                            for (int i = 0; i < spec.kernelH(); i++) {
                                for (int j = 0; j < spec.kernelW(); j++) {
                                    int at = input(spec, image, c, oh, ow, i, j);
                                    if (at >= 0) {
                                        tap.at(output(spec, image, oc, oh, ow), at, weight(spec, oc, c, i, j));
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** The index into x that tap (i, j) of output (oh, ow) reads, or -1 when it falls on padding. */
    private static int input(Conv2dSpec spec, int image, int c, int oh, int ow, int i, int j) {
        int ih = oh * spec.strideH() - spec.padTop() + i;
        int iw = ow * spec.strideW() - spec.padLeft() + j;
        if (ih < 0 || ih >= spec.height() || iw < 0 || iw >= spec.width()) {
            return -1;
        }
        return ((image * spec.inChannels() + c) * spec.height() + ih) * spec.width() + iw;
    }

    private static int output(Conv2dSpec spec, int image, int oc, int oh, int ow) {
        return ((image * spec.outChannels() + oc) * spec.outHeight() + oh) * spec.outWidth() + ow;
    }

    private static int weight(Conv2dSpec spec, int oc, int c, int i, int j) {
        return ((oc * spec.inChannels() + c) * spec.kernelH() + i) * spec.kernelW() + j;
    }
}
