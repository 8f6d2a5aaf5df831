package io.simdnet.engine.kernel.tuning;

import io.simdnet.codegen.plan.Conv2dAlgorithmPlan;
import io.simdnet.kernel.FloatConv2dKernel;
import io.simdnet.kernel.FloatGemmKernel;
import io.simdnet.kernel.Kernel;
import io.simdnet.kernel.spec.Conv2dSpec;
import io.simdnet.kernel.spec.GemmSpec;
import io.simdnet.kernel.spec.KernelSpec;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The arrays a spec's candidates are timed on, at the real sizes of the calls (the batch given), and the
 * passes each call makes: one for a GEMM, forward, backward-data and backward-weights for a convolution
 * (training runs all three, and each is timed on its own so a DIRECT convolution may take each pass's best tile).
 */
abstract sealed class TuningWorkload {

    private static final long SEED = 0x7E57_DA7AL;

    /** The workload of {@code spec} (float), or null when the tuner has none for its kind. */
    static TuningWorkload of(KernelSpec spec, int batch) {
        return switch (spec) {
            case GemmSpec gemm -> new Gemm(gemm, batch);
            case Conv2dSpec conv -> new Conv(conv, batch);
            default -> null;
        };
    }

    /**
     * The batch candidates are warmed up at. Until C2 has compiled it a kernel runs interpreted, 100-300× slower,
     * so warm-up calls are kept small: one image for a convolution (the same code runs per image; a DENSE
     * convolution keeps its batch, the depth of its backward-weights GEMM, another kernel at another batch), and
     * for a GEMM at most {@link #WARM_ROWS} rows plus the real M's remainder modulo it, so that the same edge
     * paths run for every micro-tile height that divides it.
     */
    static int warmUpBatch(KernelSpec spec, int batch) {
        return switch (spec) {
            case Conv2dSpec conv -> Conv2dAlgorithmPlan.of(conv).algorithm() == io.simdnet.kernel.spec.Conv2dAlgorithm.DENSE ? batch : 1;
            case GemmSpec gemm -> batch <= WARM_ROWS ? batch : WARM_ROWS + batch % WARM_ROWS;
            default -> batch;
        };
    }

    /** Divisible by every micro-tile height up to 6 and by 8, 10, 12, 15 and 16. */
    private static final int WARM_ROWS = 240;

    /** Names of the passes, as the tuning record lists them. */
    abstract List<String> passes();

    /** Multiply-add FLOPs of one call of a pass (2 per multiply-add; the three convolution passes do the same work). */
    abstract double flops();

    /** Runs pass {@code pass} of {@code kernel} once. */
    abstract void run(Kernel kernel, int pass);

    /** Runs every pass once from the same inputs and returns copies of the outputs, for comparing candidates. */
    abstract float[][] outputs(Kernel kernel);

    static float[] random(SplittableRandom random, int length) {
        float[] values = new float[length];
        for (int i = 0; i < length; i++) {
            values[i] = (float) (random.nextDouble() * 2 - 1);
        }
        return values;
    }

    static final class Gemm extends TuningWorkload {
        private final int m;
        private final double flops;
        private final float[] a;
        private final float[] b;
        private final float[] bias;
        private final float[] c;

        Gemm(GemmSpec spec, int m) {
            SplittableRandom random = new SplittableRandom(SEED);
            this.m = m;
            this.flops = 2.0 * m * spec.k() * spec.n();
            this.a = random(random, m * spec.k());
            this.b = random(random, spec.k() * spec.n());
            this.bias = spec.bias() ? random(random, spec.n()) : null;
            this.c = new float[m * spec.n()];
        }

        @Override
        List<String> passes() {
            return List.of("gemm");
        }

        @Override
        double flops() {
            return flops;
        }

        @Override
        void run(Kernel kernel, int pass) {
            ((FloatGemmKernel) kernel).gemm(m, a, 0, b, 0, bias, c, 0);
        }

        @Override
        float[][] outputs(Kernel kernel) {
            // An accumulating GEMM adds to C: start every candidate from the same C.
            Arrays.fill(c, 0.5f);
            run(kernel, 0);
            return new float[][] {c.clone()};
        }
    }

    static final class Conv extends TuningWorkload {
        private final int n;
        private final double flops;
        private final float[] x;
        private final float[] weights;
        private final float[] bias;
        private final float[] y;
        private final float[] dy;
        private final float[] dx;
        private final float[] dWeights;
        private final float[] dBias;

        Conv(Conv2dSpec spec, int n) {
            SplittableRandom random = new SplittableRandom(SEED);
            this.n = n;
            this.flops = (double) n * spec.forwardFlopsPerImage();
            int outputs = n * spec.outChannels() * spec.outHeight() * spec.outWidth();
            this.x = random(random, n * spec.inChannels() * spec.height() * spec.width());
            this.weights = random(random, spec.outChannels() * spec.patchSize());
            this.bias = spec.bias() ? random(random, spec.outChannels()) : null;
            this.y = new float[outputs];
            this.dy = random(random, outputs);
            this.dx = new float[x.length];
            this.dWeights = new float[weights.length];
            this.dBias = spec.bias() ? new float[spec.outChannels()] : null;
        }

        @Override
        List<String> passes() {
            return List.of("forward", "backward_data", "backward_weights");
        }

        @Override
        double flops() {
            return flops;
        }

        @Override
        void run(Kernel kernel, int pass) {
            FloatConv2dKernel conv = (FloatConv2dKernel) kernel;
            switch (pass) {
                case 0 -> conv.forward(n, x, weights, bias, y);
                case 1 -> conv.backwardData(n, dy, weights, dx);
                default -> conv.backwardWeights(n, x, dy, dWeights, dBias);
            }
        }

        @Override
        float[][] outputs(Kernel kernel) {
            for (int pass = 0; pass < 3; pass++) {
                run(kernel, pass);
            }
            return bias == null ? new float[][] {y.clone(), dx.clone(), dWeights.clone()}
                    : new float[][] {y.clone(), dx.clone(), dWeights.clone(), dBias.clone()};
        }
    }
}
