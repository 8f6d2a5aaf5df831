package io.simdnet.engine.kernel.generic;

import io.simdnet.kernel.DoublePool2dKernel;
import io.simdnet.kernel.FloatPool2dKernel;
import io.simdnet.kernel.Pool2dArguments;
import io.simdnet.kernel.spec.Pool2dSpec;

/**
 * The unspecialised pooling that serves a spec when no generated class can be had: the same window loops
 * with sizes read at run time, single-threaded, in double for both element types (results stored back in
 * the caller's type), with the same tie and NaN rules as the generated kernels.
 */
public final class GenericPool2d implements FloatPool2dKernel, DoublePool2dKernel {

    private final Pool2dSpec spec;

    public GenericPool2d(Pool2dSpec spec) {
        this.spec = spec;
    }

    @Override
    public Pool2dSpec spec() {
        return spec;
    }

    @Override
    public void forward(int n, float[] x, float[] y, int[] argmax) {
        Pool2dArguments.forward(spec, n, x, y, argmax);
        double[] out = new double[n * spec.channels() * spec.outHeight() * spec.outWidth()];
        forward(n, i -> x[i], out, argmax);
        for (int i = 0; i < out.length; i++) {
            y[i] = (float) out[i];
        }
    }

    @Override
    public void forward(int n, double[] x, double[] y, int[] argmax) {
        Pool2dArguments.forward(spec, n, x, y, argmax);
        forward(n, i -> x[i], y, argmax);
    }

    @Override
    public void backward(int n, float[] dy, int[] argmax, float[] dx) {
        Pool2dArguments.backward(spec, n, dy, argmax, dx);
        double[] out = new double[n * spec.channels() * spec.height() * spec.width()];
        backward(n, i -> dy[i], argmax, out);
        for (int i = 0; i < out.length; i++) {
            dx[i] = (float) out[i];
        }
    }

    @Override
    public void backward(int n, double[] dy, int[] argmax, double[] dx) {
        Pool2dArguments.backward(spec, n, dy, argmax, dx);
        java.util.Arrays.fill(dx, 0, n * spec.channels() * spec.height() * spec.width(), 0);
        backward(n, i -> dy[i], argmax, dx);
    }

    private void forward(int n, java.util.function.IntToDoubleFunction x, double[] y, int[] argmax) {
        boolean max = spec.kind() == Pool2dSpec.Kind.MAX;
        int o = 0;
        for (int plane = 0; plane < n * spec.channels(); plane++) {
            int in = plane * spec.height() * spec.width();
            for (int oh = 0; oh < spec.outHeight(); oh++) {
                for (int ow = 0; ow < spec.outWidth(); ow++, o++) {
                    double best = Double.NEGATIVE_INFINITY;
                    double sum = 0;
                    int at = -1;
                    for (int i = 0; i < spec.kernelH(); i++) {
                        for (int j = 0; j < spec.kernelW(); j++) {
                            int ih = oh * spec.strideH() - spec.padH() + i;
                            int iw = ow * spec.strideW() - spec.padW() + j;
                            if (ih < 0 || ih >= spec.height() || iw < 0 || iw >= spec.width()) {
                                continue;
                            }
                            int index = in + ih * spec.width() + iw;
                            double v = x.applyAsDouble(index);
                            sum += v;
                            if (at < 0 || v > best || (Double.isNaN(v) && !Double.isNaN(best))) {
                                best = v;
                                at = index;
                            }
                        }
                    }
                    if (max) {
                        y[o] = best;
                        argmax[o] = at;
                    } else {
                        y[o] = sum / (spec.kernelH() * spec.kernelW());
                    }
                }
            }
        }
    }

    private void backward(int n, java.util.function.IntToDoubleFunction dy, int[] argmax, double[] dx) {
        int o = 0;
        for (int plane = 0; plane < n * spec.channels(); plane++) {
            int in = plane * spec.height() * spec.width();
            for (int oh = 0; oh < spec.outHeight(); oh++) {
                for (int ow = 0; ow < spec.outWidth(); ow++, o++) {
                    if (spec.kind() == Pool2dSpec.Kind.MAX) {
                        dx[argmax[o]] += dy.applyAsDouble(o);
                        continue;
                    }
                    double g = dy.applyAsDouble(o) / (spec.kernelH() * spec.kernelW());
                    for (int i = 0; i < spec.kernelH(); i++) {
                        for (int j = 0; j < spec.kernelW(); j++) {
                            int ih = oh * spec.strideH() - spec.padH() + i;
                            int iw = ow * spec.strideW() - spec.padW() + j;
                            if (ih >= 0 && ih < spec.height() && iw >= 0 && iw < spec.width()) {
                                dx[in + ih * spec.width() + iw] += g;
                            }
                        }
                    }
                }
            }
        }
    }
}
