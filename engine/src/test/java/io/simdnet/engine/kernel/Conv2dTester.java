package io.simdnet.engine.kernel;

import io.simdnet.kernel.DType;
import io.simdnet.kernel.DoubleConv2dKernel;
import io.simdnet.kernel.FloatConv2dKernel;
import io.simdnet.kernel.reference.ReferenceConv2d;
import io.simdnet.kernel.reference.ReferenceMath;
import io.simdnet.kernel.spec.Conv2dSpec;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assertions;

/**
 * Drives the three passes of a convolution kernel (float or double) against {@link ReferenceConv2d} for one
 * spec and batch size (0 and up): forward with its bias and fused ReLU, backward-data, backward-weights and
 * the bias gradient. Every output is overwritten, so dWeights and dBias of an empty batch must come back zero.
 * With a fused ReLU, the backward passes are fed the gradient before the ReLU, unmasked, as
 * {@link FloatConv2dKernel} documents, and must equal the reference's linear backward.
 * Each result must lie within (terms+2)·ε·Σ|terms| of the reference, terms being the products summed into it.
 */
final class Conv2dTester {

    private final Conv2dSpec spec;
    private int n = 1;
    private long seed = 1;

    Conv2dTester(Conv2dSpec spec) {
        this.spec = spec;
    }

    Conv2dTester batch(int images) {
        this.n = images;
        return this;
    }

    Conv2dTester seed(long newSeed) {
        this.seed = newSeed;
        return this;
    }

    /** The operands of one case and the reference's results and error scales. */
    private final class Case {
        final double[] x;
        final double[] w;
        final double[] b;
        final double[] dy;

        Case() {
            SplittableRandom random = new SplittableRandom(seed);
            x = KernelTester.random(random, n * spec.inChannels() * spec.height() * spec.width());
            w = KernelTester.random(random, spec.outChannels() * spec.patchSize());
            b = spec.bias() ? KernelTester.random(random, spec.outChannels()) : null;
            dy = KernelTester.random(random, n * spec.outChannels() * spec.outHeight() * spec.outWidth());
        }

        void check(String pass, double[] actualY, double[] actualDx, double[] actualDw, double[] actualDb, DType type) {
            double eps = KernelTester.errorPerTerm(type);
            String name = spec.key() + " n=" + n + " ";
            long outputsPerChannel = (long) n * spec.outHeight() * spec.outWidth();
            KernelTester.assertWithinRounding(name + pass + " y", ReferenceConv2d.forward(spec, n, x, w, b),
                    ReferenceConv2d.forward(spec, n, ReferenceMath.abs(x), ReferenceMath.abs(w), ReferenceMath.abs(b)), actualY, spec.patchSize() + 1, eps);
            KernelTester.assertWithinRounding(name + pass + " dx", ReferenceConv2d.backwardData(spec, n, dy, w),
                    ReferenceConv2d.backwardData(spec, n, ReferenceMath.abs(dy), ReferenceMath.abs(w)), actualDx,
                    (long) spec.outChannels() * spec.kernelH() * spec.kernelW(), eps);
            KernelTester.assertWithinRounding(name + pass + " dW", ReferenceConv2d.backwardWeights(spec, n, x, dy),
                    ReferenceConv2d.backwardWeights(spec, n, ReferenceMath.abs(x), ReferenceMath.abs(dy)), actualDw, outputsPerChannel, eps);
            if (spec.bias()) {
                KernelTester.assertWithinRounding(name + pass + " dB", ReferenceConv2d.backwardBias(spec, n, dy),
                        ReferenceConv2d.backwardBias(spec, n, ReferenceMath.abs(dy)), actualDb, outputsPerChannel, eps);
            }
        }
    }

    void test(FloatConv2dKernel kernel) {
        Case c = new Case();
        float[] y = KernelTester.floatOutput(c.dy.length);
        float[] dx = KernelTester.floatOutput(c.x.length);
        float[] dw = KernelTester.floatOutput(c.w.length);
        float[] db = spec.bias() ? KernelTester.floatOutput(spec.outChannels()) : null;
        float[] w = KernelTester.toFloat(c.w);
        kernel.forward(n, KernelTester.toFloat(c.x), w, KernelTester.toFloat(c.b), y);
        kernel.backwardData(n, KernelTester.toFloat(c.dy), w, dx);
        kernel.backwardWeights(n, KernelTester.toFloat(c.x), KernelTester.toFloat(c.dy), dw, db);
        c.check(kernel.getClass().getSimpleName(), KernelTester.toDouble(y), KernelTester.toDouble(dx), KernelTester.toDouble(dw),
                db == null ? null : KernelTester.toDouble(db), DType.F32);
    }

    void test(DoubleConv2dKernel kernel) {
        Case c = new Case();
        double[] y = KernelTester.output(c.dy.length);
        double[] dx = KernelTester.output(c.x.length);
        double[] dw = KernelTester.output(c.w.length);
        double[] db = spec.bias() ? KernelTester.output(spec.outChannels()) : null;
        kernel.forward(n, c.x.clone(), c.w.clone(), c.b == null ? null : c.b.clone(), y);
        kernel.backwardData(n, c.dy.clone(), c.w.clone(), dx);
        kernel.backwardWeights(n, c.x.clone(), c.dy.clone(), dw, db);
        c.check(kernel.getClass().getSimpleName(), y, dx, dw, db, DType.F64);
    }

    /** {@link #test} for each batch size in turn, with the kernel of the spec's element type. */
    void testBatches(io.simdnet.kernel.Kernel kernel, int... batches) {
        for (int images : batches) {
            batch(images);
            if (kernel instanceof FloatConv2dKernel f && spec.elementType() == DType.F32) {
                test(f);
            } else {
                test((DoubleConv2dKernel) kernel);
            }
        }
    }

    /**
     * Forward, backward-data and backward-weights (and the bias gradient when the spec has a bias) of one batch;
     * {@code b} is passed only when the spec has a bias.
     */
    static float[][] allPasses(FloatConv2dKernel kernel, int n, float[] x, float[] w, float[] b, float[] dy) {
        Conv2dSpec spec = kernel.spec();
        float[] y = new float[dy.length];
        float[] dx = new float[x.length];
        float[] dw = new float[w.length];
        float[] db = spec.bias() ? new float[spec.outChannels()] : null;
        kernel.forward(n, x, w, spec.bias() ? b : null, y);
        kernel.backwardData(n, dy, w, dx);
        kernel.backwardWeights(n, x, dy, dw, db);
        return spec.bias() ? new float[][] {y, dx, dw, db} : new float[][] {y, dx, dw};
    }

    /**
     * Every pass of {@code actual} within 1e-4 (relative, plus 1e-4 absolute) of {@code expected}'s on the same random
     * batch of {@code n} images: two algorithms computing one layer.
     */
    static void assertAllPassesAgree(FloatConv2dKernel expected, FloatConv2dKernel actual, int n, long seed) {
        Conv2dSpec spec = expected.spec();
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = KernelTester.toFloat(KernelTester.random(random, n * spec.inChannels() * spec.height() * spec.width()));
        float[] w = KernelTester.toFloat(KernelTester.random(random, spec.outChannels() * spec.patchSize()));
        float[] b = spec.bias() ? KernelTester.toFloat(KernelTester.random(random, spec.outChannels())) : null;
        float[] dy = KernelTester.toFloat(KernelTester.random(random, n * spec.outChannels() * spec.outHeight() * spec.outWidth()));
        float[][] e = allPasses(expected, n, x, w, b, dy);
        float[][] a = allPasses(actual, n, x, w, b, dy);
        for (int pass = 0; pass < e.length; pass++) {
            for (int i = 0; i < e[pass].length; i++) {
                Assertions.assertEquals(e[pass][i], a[pass][i], 1e-4 * (1 + Math.abs(e[pass][i])),
                        actual.spec().key() + " against " + expected.spec().key() + ": pass " + pass + " at " + i);
            }
        }
    }
}
