package io.simdnet.kernel.reference;

import io.simdnet.kernel.spec.Pool2dSpec;

/**
 * The plain window loops in double that every pooling kernel is held against, with PyTorch's rules: max
 * pooling treats padding as −∞ and takes the first maximum in row-major window order, a NaN being the
 * maximum once met (so the first NaN wins); average pooling counts padding as zeros and divides every window
 * by kernelH·kernelW ({@code count_include_pad=True}). {@code n} is the batch size; results are new arrays.
 */
public final class ReferencePool2d {

    private ReferencePool2d() {
    }

    /** y: the window maxima (MAX) or means (AVG). */
    public static double[] forward(Pool2dSpec spec, int n, double[] x) {
        double[] y = new double[outputs(spec, n)];
        int[] argmax = argmax(spec, n, x);
        int o = 0;
        for (int plane = 0; plane < n * spec.channels(); plane++) {
            for (int oh = 0; oh < spec.outHeight(); oh++) {
                for (int ow = 0; ow < spec.outWidth(); ow++, o++) {
                    if (spec.kind() == Pool2dSpec.Kind.MAX) {
                        y[o] = x[argmax[o]];
                        continue;
                    }
                    double sum = 0;
                    for (int i = 0; i < spec.kernelH(); i++) {
                        for (int j = 0; j < spec.kernelW(); j++) {
                            int at = input(spec, plane, oh, ow, i, j);
                            if (at >= 0) {
                                sum += x[at];
                            }
                        }
                    }
                    y[o] = sum / (spec.kernelH() * spec.kernelW());
                }
            }
        }
        return y;
    }

    /** The index into x each max-pool output took; a MAX spec only. */
    public static int[] argmax(Pool2dSpec spec, int n, double[] x) {
        int[] argmax = new int[outputs(spec, n)];
        if (spec.kind() != Pool2dSpec.Kind.MAX) {
            return argmax;
        }
        int o = 0;
        for (int plane = 0; plane < n * spec.channels(); plane++) {
            for (int oh = 0; oh < spec.outHeight(); oh++) {
                for (int ow = 0; ow < spec.outWidth(); ow++, o++) {
                    int best = -1;
                    for (int i = 0; i < spec.kernelH(); i++) {
                        for (int j = 0; j < spec.kernelW(); j++) {
                            int at = input(spec, plane, oh, ow, i, j);
                            // Strictly greater keeps the first of equal maxima; a NaN replaces anything but a NaN.
                            if (at >= 0 && (best < 0 || x[at] > x[best] || (Double.isNaN(x[at]) && !Double.isNaN(x[best])))) {
                                best = at;
                            }
                        }
                    }
                    argmax[o] = best;
                }
            }
        }
        return argmax;
    }

    /**
     * dx given dy: MAX routes each dy to its window's arg-max ({@code argmax} as {@link #argmax} returns it;
     * ignored for AVG), AVG spreads dy/(kernelH·kernelW) over the window's pixels; overlapping windows add.
     */
    public static double[] backward(Pool2dSpec spec, int n, double[] dy, int[] argmax) {
        double[] dx = new double[n * spec.channels() * spec.height() * spec.width()];
        int o = 0;
        for (int plane = 0; plane < n * spec.channels(); plane++) {
            for (int oh = 0; oh < spec.outHeight(); oh++) {
                for (int ow = 0; ow < spec.outWidth(); ow++, o++) {
                    if (spec.kind() == Pool2dSpec.Kind.MAX) {
                        dx[argmax[o]] += dy[o];
                        continue;
                    }
                    for (int i = 0; i < spec.kernelH(); i++) {
                        for (int j = 0; j < spec.kernelW(); j++) {
                            int at = input(spec, plane, oh, ow, i, j);
                            if (at >= 0) {
                                dx[at] += dy[o] / (spec.kernelH() * spec.kernelW());
                            }
                        }
                    }
                }
            }
        }
        return dx;
    }

    private static int outputs(Pool2dSpec spec, int n) {
        return n * spec.channels() * spec.outHeight() * spec.outWidth();
    }

    /** The index into x of tap (i, j) of output (oh, ow) in one image plane, or -1 on padding. */
    private static int input(Pool2dSpec spec, int plane, int oh, int ow, int i, int j) {
        int ih = oh * spec.strideH() - spec.padH() + i;
        int iw = ow * spec.strideW() - spec.padW() + j;
        if (ih < 0 || ih >= spec.height() || iw < 0 || iw >= spec.width()) {
            return -1;
        }
        return (plane * spec.height() + ih) * spec.width() + iw;
    }
}
