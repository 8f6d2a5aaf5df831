package io.simdnet.engine.kernel;

import io.simdnet.engine.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The element passes of batch normalisation over NCHW batches, or (N, D) batches with {@code inner} = 1: a channel's
 * values are the N planes of {@code inner} elements at sample stride C·inner. Each pass deals channels to the pool's
 * tasks, and a channel, its sums included, belongs to one task, so the results are the same on any number of threads.
 * Float passes use the Vector API, double passes (gradient checks) plain loops.
 *
 * <p>The per-channel values live in the caller's double arrays, given once: the statistics this kernel writes (mean,
 * biased variance; Σdy and Σdy·x̂) and the 1/σ it reads.
 *
 * <p>A ReLU after the normalisation can be fused in ({@code relu} of {@link #normalize}): y = max(γ·x̂ + β, 0) in the
 * same pass, and the backward passes take the gradient where that output is positive, as the ReLU's own backward
 * would have written it, so the results are the same bits as the two layers apart. They tell where from x̂ and γ, β
 * (γ·x̂ + β is recomputed by the same operation, so its sign is the output's) rather than by reading the output.
 *
 * <p>Sums of float elements: each lane of a float vector adds every LANES-th element of a channel, and after every
 * {@value #FLUSH} or so elements the lanes are added, in lane order, into a double. So a lane never holds more than
 * 2·FLUSH/LANES terms (≤ 256 at 8 lanes: a relative error below 256·2⁻²⁴ ≈ 1.5e-5 of the chunk's Σ|x| at worst,
 * ~1e-7 typically), while the long sum over N·inner elements is in double, as the plain double loops would do it.
 * This keeps the float statistics within float rounding of a double reference at the speed of float loads.
 * {@code reduceLanes} is not used for it: its order of additions is left unspecified, the lane order is not.
 */
public final class BatchNormKernel extends ParallelRange {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = F.length();

    /** Elements added in float lanes between two flushes into the double sum (a multiple of every vector length). */
    static final int FLUSH = 1024;

    private enum Pass { STATISTICS, NORMALIZE, SUMS, INPUT_GRADIENT }

    private final int channels;
    private final int inner;
    private final double[] mean;
    private final double[] variance;
    private final double[] invStd;
    private final double[] sumDy;
    private final double[] sumDyXhat;

    // The current pass and its arguments, set by the public methods for the tasks to read.
    private Pass pass;
    private int n;
    private Tensor in;
    private Tensor xhat;
    private Tensor out;
    private Tensor gamma;
    private Tensor beta;
    private boolean training;
    private boolean relu;

    /**
     * @param mean written by {@link #statistics}, read by {@link #normalize}
     * @param variance the biased batch variance, written by {@link #statistics}
     * @param invStd 1/√(variance + ε), read by {@link #normalize} and {@link #inputGradient}
     * @param sumDy Σ dy per channel, written by {@link #channelSums}
     * @param sumDyXhat Σ dy·x̂ per channel, written by {@link #channelSums}
     */
    public BatchNormKernel(int channels, int inner, double[] mean, double[] variance, double[] invStd, double[] sumDy, double[] sumDyXhat) {
        this.channels = channels;
        this.inner = inner;
        this.mean = mean;
        this.variance = variance;
        this.invStd = invStd;
        this.sumDy = sumDy;
        this.sumDyXhat = sumDyXhat;
    }

    /** Each channel's mean and biased variance over the N·inner values of {@code x}: two reads, Σx then Σ(x − mean)². */
    public void statistics(Tensor x, int n) {
        start(Pass.STATISTICS, n, x, null, null);
        runOverChannels(2);
    }

    /** x̂ = (x − mean)·invStd and y = γ·x̂ + β, or max(γ·x̂ + β, 0) with {@code relu}. */
    public void normalize(Tensor x, Tensor xhat, Tensor y, int n, Tensor gamma, Tensor beta, boolean relu) {
        start(Pass.NORMALIZE, n, x, xhat, y);
        this.gamma = gamma;
        this.beta = beta;
        this.relu = relu;
        runOverChannels(1);
    }

    /**
     * Σ dy and Σ dy·x̂ per channel (β's and γ's gradients); after a normalisation with the ReLU fused in
     * ({@code relu}, with its γ and β), dy counts only where γ·x̂ + β is positive.
     */
    public void channelSums(Tensor dy, Tensor xhat, int n, Tensor gamma, Tensor beta, boolean relu) {
        start(Pass.SUMS, n, dy, xhat, null);
        this.gamma = gamma;
        this.beta = beta;
        this.relu = relu;
        runOverChannels(1);
    }

    /**
     * dx = γ·invStd·(dy − mean(dy) − x̂·mean(dy·x̂)) after a training forward, from the sums of {@link #channelSums};
     * after an evaluation forward the statistics were constants and dx = γ·invStd·dy. With {@code relu}, dy is
     * masked as in {@link #channelSums}.
     */
    public void inputGradient(Tensor dy, Tensor xhat, Tensor dx, int n, Tensor gamma, Tensor beta, boolean relu, boolean training) {
        start(Pass.INPUT_GRADIENT, n, dy, xhat, dx);
        this.gamma = gamma;
        this.beta = beta;
        this.relu = relu;
        this.training = training;
        runOverChannels(1);
    }

    private void start(Pass pass, int n, Tensor in, Tensor xhat, Tensor out) {
        this.pass = pass;
        this.n = n;
        this.in = in;
        this.xhat = xhat;
        this.out = out;
    }

    private void runOverChannels(int reads) {
        try {
            run(channels, 1, reads * ParallelRange.ELEMENT_FLOPS * n * inner);
        } finally {
            in = xhat = out = gamma = beta = null;
        }
    }

    @Override
    protected void range(int first, int end) {
        boolean floats = in.floats() != null;
        for (int c = first; c < end; c++) {
            switch (pass) {
                case STATISTICS -> {
                    if (floats) {
                        statistics(in.floats(), c);
                    } else {
                        statistics(in.doubles(), c);
                    }
                }
                case NORMALIZE -> {
                    if (floats) {
                        normalize(in.floats(), xhat.floats(), out.floats(), c, gamma.floats()[c], beta.floats()[c]);
                    } else {
                        normalize(in.doubles(), xhat.doubles(), out.doubles(), c, gamma.doubles()[c], beta.doubles()[c]);
                    }
                }
                case SUMS -> {
                    if (floats) {
                        sums(in.floats(), xhat.floats(), c, gamma.floats()[c], beta.floats()[c]);
                    } else {
                        sums(in.doubles(), xhat.doubles(), c, gamma.doubles()[c], beta.doubles()[c]);
                    }
                }
                case INPUT_GRADIENT -> {
                    if (floats) {
                        inputGradient(in.floats(), xhat.floats(), out.floats(), c, gamma.floats()[c], beta.floats()[c]);
                    } else {
                        inputGradient(in.doubles(), xhat.doubles(), out.doubles(), c, gamma.doubles()[c], beta.doubles()[c]);
                    }
                }
            }
        }
    }

    /** Where channel c of sample s starts. */
    private int plane(int s, int c) {
        return (s * channels + c) * inner;
    }

    /** The lanes of {@code v} added in lane order, a fixed order unlike {@code reduceLanes}. */
    private static double inLaneOrder(FloatVector v) {
        double sum = 0;
        for (int lane = 0; lane < LANES; lane++) {
            sum += v.lane(lane);
        }
        return sum;
    }

    private void statistics(float[] x, int c) {
        int bound = F.loopBound(inner);
        double sum = 0;
        FloatVector lanes = FloatVector.zero(F);
        int pending = 0;
        for (int s = 0; s < n; s++) {
            int base = plane(s, c);
            for (int from = 0; from < bound; from += FLUSH) {
                int to = Math.min(bound, from + FLUSH);
                for (int i = from; i < to; i += LANES) {
                    lanes = lanes.add(FloatVector.fromArray(F, x, base + i));
                }
                pending += to - from;
                if (pending >= FLUSH) {
                    sum += inLaneOrder(lanes);
                    lanes = FloatVector.zero(F);
                    pending = 0;
                }
            }
            for (int i = bound; i < inner; i++) {
                sum += x[base + i];
            }
        }
        sum += inLaneOrder(lanes);
        int count = n * inner;
        double m = sum / count;
        // Centred on the mean rounded to float: Σ(x − m')² exceeds Σ(x − m)² by count·(m − m')², ~2⁻⁴⁸·m² per element.
        float shift = (float) m;
        double squares = 0;
        lanes = FloatVector.zero(F);
        pending = 0;
        for (int s = 0; s < n; s++) {
            int base = plane(s, c);
            for (int from = 0; from < bound; from += FLUSH) {
                int to = Math.min(bound, from + FLUSH);
                for (int i = from; i < to; i += LANES) {
                    FloatVector d = FloatVector.fromArray(F, x, base + i).sub(shift);
                    lanes = d.fma(d, lanes);
                }
                pending += to - from;
                if (pending >= FLUSH) {
                    squares += inLaneOrder(lanes);
                    lanes = FloatVector.zero(F);
                    pending = 0;
                }
            }
            for (int i = bound; i < inner; i++) {
                double d = x[base + i] - shift;
                squares += d * d;
            }
        }
        squares += inLaneOrder(lanes);
        mean[c] = m;
        variance[c] = squares / count;
    }

    private void statistics(double[] x, int c) {
        double sum = 0;
        for (int s = 0; s < n; s++) {
            for (int i = plane(s, c), end = i + inner; i < end; i++) {
                sum += x[i];
            }
        }
        int count = n * inner;
        double m = sum / count;
        double squares = 0;
        for (int s = 0; s < n; s++) {
            for (int i = plane(s, c), end = i + inner; i < end; i++) {
                double d = x[i] - m;
                squares += d * d;
            }
        }
        mean[c] = m;
        variance[c] = squares / count;
    }

    private void normalize(float[] x, float[] xhat, float[] y, int c, float g, float b) {
        float shift = (float) mean[c];
        float inv = (float) invStd[c];
        int bound = F.loopBound(inner);
        for (int s = 0; s < n; s++) {
            int base = plane(s, c);
            int i = base;
            for (int end = base + bound; i < end; i += LANES) {
                FloatVector h = FloatVector.fromArray(F, x, i).sub(shift).mul(inv);
                h.intoArray(xhat, i);
                FloatVector out = h.fma(g, b);
                (relu ? out.max(0f) : out).intoArray(y, i);
            }
            for (int end = base + inner; i < end; i++) {
                float h = (x[i] - shift) * inv;
                xhat[i] = h;
                float out = Math.fma(h, g, b);
                y[i] = relu ? Math.max(out, 0f) : out;
            }
        }
    }

    private void normalize(double[] x, double[] xhat, double[] y, int c, double g, double b) {
        double shift = mean[c];
        double inv = invStd[c];
        for (int s = 0; s < n; s++) {
            for (int i = plane(s, c), end = i + inner; i < end; i++) {
                double h = (x[i] - shift) * inv;
                xhat[i] = h;
                double out = g * h + b;
                y[i] = relu ? Math.max(out, 0.0) : out;
            }
        }
    }

    /** γ = {@code scale}, β = {@code shift}: with the ReLU fused, dy counts where γ·x̂ + β > 0, as normalize computed it. */
    private void sums(float[] dy, float[] xhat, int c, float scale, float shift) {
        int bound = F.loopBound(inner);
        double sum = 0;
        double sumXhat = 0;
        FloatVector lanes = FloatVector.zero(F);
        FloatVector lanesXhat = FloatVector.zero(F);
        FloatVector zero = FloatVector.zero(F);
        int pending = 0;
        for (int s = 0; s < n; s++) {
            int base = plane(s, c);
            for (int from = 0; from < bound; from += FLUSH) {
                int to = Math.min(bound, from + FLUSH);
                for (int i = from; i < to; i += LANES) {
                    FloatVector g = FloatVector.fromArray(F, dy, base + i);
                    FloatVector h = FloatVector.fromArray(F, xhat, base + i);
                    if (relu) {
                        g = zero.blend(g, h.fma(scale, shift).compare(VectorOperators.GT, 0f));
                    }
                    lanes = lanes.add(g);
                    lanesXhat = g.fma(h, lanesXhat);
                }
                pending += to - from;
                if (pending >= FLUSH) {
                    sum += inLaneOrder(lanes);
                    sumXhat += inLaneOrder(lanesXhat);
                    lanes = FloatVector.zero(F);
                    lanesXhat = FloatVector.zero(F);
                    pending = 0;
                }
            }
            for (int i = base + bound, end = base + inner; i < end; i++) {
                float g = !relu || Math.fma(xhat[i], scale, shift) > 0f ? dy[i] : 0f;
                sum += g;
                sumXhat += (double) g * xhat[i];
            }
        }
        sumDy[c] = sum + inLaneOrder(lanes);
        sumDyXhat[c] = sumXhat + inLaneOrder(lanesXhat);
    }

    private void sums(double[] dy, double[] xhat, int c, double scale, double shift) {
        double sum = 0;
        double sumXhat = 0;
        for (int s = 0; s < n; s++) {
            for (int i = plane(s, c), end = i + inner; i < end; i++) {
                double g = !relu || scale * xhat[i] + shift > 0.0 ? dy[i] : 0.0;
                sum += g;
                sumXhat += g * xhat[i];
            }
        }
        sumDy[c] = sum;
        sumDyXhat[c] = sumXhat;
    }

    private void inputGradient(float[] dy, float[] xhat, float[] dx, int c, float g, float b) {
        int count = n * inner;
        float scale = (float) (g * invStd[c]);
        float meanDy = training ? (float) (sumDy[c] / count) : 0f;
        float meanDyXhat = training ? (float) (sumDyXhat[c] / count) : 0f;
        FloatVector zero = FloatVector.zero(F);
        int bound = F.loopBound(inner);
        for (int s = 0; s < n; s++) {
            int base = plane(s, c);
            int i = base;
            for (int end = base + bound; i < end; i += LANES) {
                FloatVector h = FloatVector.fromArray(F, xhat, i);
                FloatVector d = FloatVector.fromArray(F, dy, i);
                if (relu) {
                    d = zero.blend(d, h.fma(g, b).compare(VectorOperators.GT, 0f));
                }
                d.sub(meanDy).sub(h.mul(meanDyXhat)).mul(scale).intoArray(dx, i);
            }
            for (int end = base + inner; i < end; i++) {
                float d = !relu || Math.fma(xhat[i], g, b) > 0f ? dy[i] : 0f;
                dx[i] = scale * (d - meanDy - xhat[i] * meanDyXhat);
            }
        }
    }

    private void inputGradient(double[] dy, double[] xhat, double[] dx, int c, double g, double b) {
        double scale = g * invStd[c];
        if (training) {
            int count = n * inner;
            double meanDy = sumDy[c] / count;
            double meanDyXhat = sumDyXhat[c] / count;
            for (int s = 0; s < n; s++) {
                for (int i = plane(s, c), end = i + inner; i < end; i++) {
                    double d = !relu || g * xhat[i] + b > 0.0 ? dy[i] : 0.0;
                    dx[i] = scale * (d - meanDy - xhat[i] * meanDyXhat);
                }
            }
        } else {
            for (int s = 0; s < n; s++) {
                for (int i = plane(s, c), end = i + inner; i < end; i++) {
                    double d = !relu || g * xhat[i] + b > 0.0 ? dy[i] : 0.0;
                    dx[i] = scale * d;
                }
            }
        }
    }
}
