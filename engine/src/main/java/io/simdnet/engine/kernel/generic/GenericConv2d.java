package io.simdnet.engine.kernel.generic;

import io.simdnet.kernel.Conv2dArguments;
import io.simdnet.kernel.DoubleConv2dKernel;
import io.simdnet.kernel.FloatConv2dKernel;
import io.simdnet.kernel.spec.Conv2dSpec;

/**
 * The unspecialised convolution that serves a spec when no generated class can be had: direct loops with
 * the sizes read at run time, single-threaded, for float and double. Slow, but the same results up to
 * rounding, and it never needs a compiler.
 */
public final class GenericConv2d implements FloatConv2dKernel, DoubleConv2dKernel {

    private final Conv2dSpec spec;

    public GenericConv2d(Conv2dSpec spec) {
        this.spec = spec;
    }

    @Override
    public Conv2dSpec spec() {
        return spec;
    }

    /** Element access shared by the float and double entry points, so the loops are written once. */
    private interface Data {
        double get(int i);

        void set(int i, double v);

        static Data of(float[] a) {
            return a == null ? null : new Data() {
                public double get(int i) {
                    return a[i];
                }

                public void set(int i, double v) {
                    a[i] = (float) v;
                }
            };
        }

        static Data of(double[] a) {
            return a == null ? null : new Data() {
                public double get(int i) {
                    return a[i];
                }

                public void set(int i, double v) {
                    a[i] = v;
                }
            };
        }
    }

    @Override
    public void forward(int n, float[] x, float[] weights, float[] bias, float[] y) {
        Conv2dArguments.forward(spec, n, x, weights, bias, y);
        forward(n, Data.of(x), Data.of(weights), Data.of(bias), Data.of(y));
    }

    @Override
    public void forward(int n, double[] x, double[] weights, double[] bias, double[] y) {
        Conv2dArguments.forward(spec, n, x, weights, bias, y);
        forward(n, Data.of(x), Data.of(weights), Data.of(bias), Data.of(y));
    }

    @Override
    public void backwardData(int n, float[] dy, float[] weights, float[] dx) {
        Conv2dArguments.backwardData(spec, n, dy, weights, dx);
        backwardData(n, Data.of(dy), Data.of(weights), Data.of(dx));
    }

    @Override
    public void backwardData(int n, double[] dy, double[] weights, double[] dx) {
        Conv2dArguments.backwardData(spec, n, dy, weights, dx);
        backwardData(n, Data.of(dy), Data.of(weights), Data.of(dx));
    }

    @Override
    public void backwardWeights(int n, float[] x, float[] dy, float[] dWeights, float[] dBias) {
        Conv2dArguments.backwardWeights(spec, n, x, dy, dWeights, dBias);
        backwardWeights(n, Data.of(x), Data.of(dy), Data.of(dWeights), Data.of(dBias));
    }

    @Override
    public void backwardWeights(int n, double[] x, double[] dy, double[] dWeights, double[] dBias) {
        Conv2dArguments.backwardWeights(spec, n, x, dy, dWeights, dBias);
        backwardWeights(n, Data.of(x), Data.of(dy), Data.of(dWeights), Data.of(dBias));
    }

    /** Input index of (image, channel, ih, iw), or -1 when that pixel is padding. */
    private int input(int image, int c, int ih, int iw) {
        if (ih < 0 || ih >= spec.height() || iw < 0 || iw >= spec.width()) {
            return -1;
        }
        return ((image * spec.inChannels() + c) * spec.height() + ih) * spec.width() + iw;
    }

    private int output(int image, int oc, int oh, int ow) {
        return ((image * spec.outChannels() + oc) * spec.outHeight() + oh) * spec.outWidth() + ow;
    }

    private int weight(int oc, int c, int i, int j) {
        return ((oc * spec.inChannels() + c) * spec.kernelH() + i) * spec.kernelW() + j;
    }

    private void forward(int n, Data x, Data w, Data bias, Data y) {
        for (int image = 0; image < n; image++) {
            for (int oc = 0; oc < spec.outChannels(); oc++) {
                for (int oh = 0; oh < spec.outHeight(); oh++) {
                    for (int ow = 0; ow < spec.outWidth(); ow++) {
                        double sum = spec.bias() ? bias.get(oc) : 0;
                        for (int c = 0; c < spec.inChannels(); c++) {
                            for (int i = 0; i < spec.kernelH(); i++) {
                                for (int j = 0; j < spec.kernelW(); j++) {
                                    int at = input(image, c, oh * spec.strideH() - spec.padTop() + i, ow * spec.strideW() - spec.padLeft() + j);
                                    if (at >= 0) {
                                        sum += x.get(at) * w.get(weight(oc, c, i, j));
                                    }
                                }
                            }
                        }
                        y.set(output(image, oc, oh, ow), spec.relu() ? Math.max(sum, 0) : sum);
                    }
                }
            }
        }
    }

    private void backwardData(int n, Data dy, Data w, Data dx) {
        for (int i = 0; i < n * spec.inChannels() * spec.height() * spec.width(); i++) {
            dx.set(i, 0);
        }
        forEachTap(n, (image, oc, oh, ow, c, i, j, at) ->
                dx.set(at, dx.get(at) + dy.get(output(image, oc, oh, ow)) * w.get(weight(oc, c, i, j))));
    }

    private void backwardWeights(int n, Data x, Data dy, Data dw, Data db) {
        for (int i = 0; i < spec.outChannels() * spec.patchSize(); i++) {
            dw.set(i, 0);
        }
        forEachTap(n, (image, oc, oh, ow, c, i, j, at) -> {
            int k = weight(oc, c, i, j);
            dw.set(k, dw.get(k) + dy.get(output(image, oc, oh, ow)) * x.get(at));
        });
        if (spec.bias()) {
            for (int oc = 0; oc < spec.outChannels(); oc++) {
                double sum = 0;
                for (int image = 0; image < n; image++) {
                    for (int p = 0; p < spec.outHeight() * spec.outWidth(); p++) {
                        sum += dy.get(output(image, oc, 0, 0) + p);
                    }
                }
                db.set(oc, sum);
            }
        }
    }

    private interface Tap {
        void at(int image, int oc, int oh, int ow, int c, int i, int j, int input);
    }

    /** Visits every (output, kernel tap) pair whose input pixel is not padding. */
    private void forEachTap(int n, Tap tap) {
        for (int image = 0; image < n; image++) {
            for (int oc = 0; oc < spec.outChannels(); oc++) {
                for (int oh = 0; oh < spec.outHeight(); oh++) {
                    for (int ow = 0; ow < spec.outWidth(); ow++) {
                        for (int c = 0; c < spec.inChannels(); c++) {
                            for (int i = 0; i < spec.kernelH(); i++) {
                                for (int j = 0; j < spec.kernelW(); j++) {
                                    int at = input(image, c, oh * spec.strideH() - spec.padTop() + i, ow * spec.strideW() - spec.padLeft() + j);
                                    if (at >= 0) {
                                        tap.at(image, oc, oh, ow, c, i, j, at);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
