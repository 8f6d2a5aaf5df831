package io.simdnet.engine.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.simdnet.engine.init.Rng;
import io.simdnet.engine.layer.Parameter;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;
import java.util.List;
import java.util.function.Supplier;
import io.simdnet.kernel.KernelPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Each optimiser against PyTorch's update rules written out in double, over several steps with changing gradients,
 * in both element types and several sizes (1 element; 37: vector body and scalar tail; 2061: more than one element
 * granule, so split ranges meet inside the parameter); and bit-identical on 1, 2 and 3 threads.
 */
class OptimizerTest {

    private static final int[] SIZES = {1, 37, 2 * 1024 + 13};
    private static final int STEPS = 6;

    private final int threadsBefore = KernelPool.threads();

    @AfterEach
    void restoreThreads() {
        KernelPool.setThreads(threadsBefore);
    }

    /** The reference rule: state[k][i] arrays, updates w[i] given g[i] and the step t (from 1). */
    private interface Rule {
        void apply(double[] w, double[] g, double[][] state, int t);
    }

    private static void compare(Supplier<Optimizer> factory, Rule rule) {
        for (int size : SIZES) {
            compare(factory, rule, size);
        }
    }

    private static void compare(Supplier<Optimizer> factory, Rule rule, int size) {
        for (DType dtype : DType.values()) {
            Rng rng = new Rng(7);
            Tensor w = Tensor.zeros(dtype, size);
            double[] reference = new double[size];
            for (int i = 0; i < size; i++) {
                w.set(i, rng.uniform(-1, 1));
                reference[i] = w.get(i);
            }
            Parameter p = new Parameter("w", w, Tensor.zeros(dtype, size), false);
            Optimizer optimizer = factory.get();
            double[][] state = new double[2][size];
            for (int t = 1; t <= STEPS; t++) {
                double[] g = new double[size];
                for (int i = 0; i < size; i++) {
                    g[i] = (float) rng.uniform(-1, 1);
                    p.gradient().set(i, g[i]);
                }
                optimizer.step(List.of(p));
                rule.apply(reference, g, state, t);
            }
            double tolerance = dtype == DType.F32 ? 2e-5 : 1e-12;
            assertArrayEquals(reference, p.value().toDoubleArray(), tolerance, optimizer.name() + " " + dtype + ", " + size + " elements");
        }
    }

    @Test
    void sgdWithWeightDecay() {
        compare(() -> new Sgd(0.1, 0, false, 0.01), (w, g, s, t) -> {
            for (int i = 0; i < w.length; i++) {
                w[i] -= 0.1 * (g[i] + 0.01 * w[i]);
            }
        });
    }

    @Test
    void sgdWithMomentumAndNesterov() {
        for (boolean nesterov : new boolean[] {false, true}) {
            compare(() -> new Sgd(0.05, 0.9, nesterov, 0), (w, g, s, t) -> {
                for (int i = 0; i < w.length; i++) {
                    s[0][i] = 0.9 * s[0][i] + g[i];
                    w[i] -= 0.05 * (nesterov ? g[i] + 0.9 * s[0][i] : s[0][i]);
                }
            });
        }
    }

    @Test
    void adamMatchesPyTorchRule() {
        compare(() -> new Adam(0.01), (w, g, s, t) -> adam(w, g, s, t, 0, false));
    }

    @Test
    void adamWithL2AndAdamWDecoupledDecay() {
        compare(() -> new Adam(0.01, 0.9, 0.999, 1e-8, 0.1, false), (w, g, s, t) -> adam(w, g, s, t, 0.1, false));
        compare(() -> Adam.adamW(0.01, 0.1), (w, g, s, t) -> adam(w, g, s, t, 0.1, true));
    }

    private static void adam(double[] w, double[] g, double[][] s, int t, double wd, boolean decoupled) {
        double lr = 0.01;
        for (int i = 0; i < w.length; i++) {
            double grad = g[i] + (decoupled ? 0 : wd * w[i]);
            if (decoupled) {
                w[i] *= 1 - lr * wd;
            }
            s[0][i] = 0.9 * s[0][i] + 0.1 * grad;
            s[1][i] = 0.999 * s[1][i] + 0.001 * grad * grad;
            double mHat = s[0][i] / (1 - Math.pow(0.9, t));
            double vHat = s[1][i] / (1 - Math.pow(0.999, t));
            w[i] -= lr * mHat / (Math.sqrt(vHat) + 1e-8);
        }
    }

    @Test
    void rmsPropAndAdagrad() {
        compare(() -> new RmsProp(0.01), (w, g, s, t) -> {
            for (int i = 0; i < w.length; i++) {
                s[0][i] = 0.99 * s[0][i] + 0.01 * g[i] * g[i];
                w[i] -= 0.01 * g[i] / (Math.sqrt(s[0][i]) + 1e-8);
            }
        });
        compare(() -> new Adagrad(0.1), (w, g, s, t) -> {
            for (int i = 0; i < w.length; i++) {
                s[0][i] += g[i] * g[i];
                w[i] -= 0.1 * g[i] / (Math.sqrt(s[0][i]) + 1e-10);
            }
        });
    }

    @Test
    void everyOptimiserIsBitIdenticalOnOneTwoAndThreeThreads() {
        List<Supplier<Optimizer>> optimizers = List.of(() -> new Sgd(0.1, 0, false, 0.01), () -> new Sgd(0.05, 0.9, false, 1e-3),
                () -> new Sgd(0.05, 0.9, true, 0), () -> new Adam(0.01, 0.9, 0.999, 1e-8, 0.1, false), () -> Adam.adamW(0.01, 0.1),
                () -> new RmsProp(0.01), () -> new Adagrad(0.1));
        // Enough elements for 3 tasks of the cheapest update.
        int size = 150_001;
        for (Supplier<Optimizer> factory : optimizers) {
            for (DType dtype : DType.values()) {
                double[] one = stepped(factory, dtype, size, 1);
                for (int threads = 2; threads <= 3; threads++) {
                    assertArrayEquals(one, stepped(factory, dtype, size, threads), 0, factory.get().name() + " " + dtype + ": 1 vs " + threads + " threads");
                }
            }
        }
    }

    /** The weights after 3 steps on {@code threads} threads. */
    private static double[] stepped(Supplier<Optimizer> factory, DType dtype, int size, int threads) {
        KernelPool.setThreads(threads);
        Rng rng = new Rng(9);
        Tensor w = Tensor.zeros(dtype, size);
        Parameter p = new Parameter("w", w, Tensor.zeros(dtype, size), false);
        Optimizer optimizer = factory.get();
        for (int i = 0; i < size; i++) {
            w.set(i, rng.uniform(-1, 1));
        }
        for (int t = 0; t < 3; t++) {
            for (int i = 0; i < size; i++) {
                p.gradient().set(i, rng.uniform(-1, 1));
            }
            optimizer.step(List.of(p));
        }
        return w.toDoubleArray();
    }

    @Test
    void clippingByNormScalesAllGradientsTogether() {
        Parameter a = new Parameter("a", Tensor.of(new double[] {0, 0}, 2), Tensor.of(new double[] {3, 0}, 2), false);
        Parameter b = new Parameter("b", Tensor.of(new double[] {0}, 1), Tensor.of(new double[] {4}, 1), false);
        Optimizer sgd = new Sgd(1).clipNorm(1);
        sgd.step(List.of(a, b));
        assertEquals(-0.6, a.value().get(0), 1e-6);
        assertEquals(-0.8, b.value().get(0), 1e-6);
        Parameter c = new Parameter("c", Tensor.of(new double[] {0, 0}, 2), Tensor.of(new double[] {3, -0.5}, 2), false);
        new Sgd(1).clipValue(1).step(List.of(c));
        assertArrayEquals(new double[] {-1, 0.5}, c.value().toDoubleArray(), 1e-12);
    }

    @Test
    void schedulesFollowTheirFormulas() {
        assertEquals(0.1 * Math.pow(0.95, 3), new LearningRateSchedule.StepDecay(2, 0.95).rate(7, 0.1), 1e-15);
        assertEquals(0.1 * Math.pow(0.9, 4), new LearningRateSchedule.Exponential(0.9).rate(4, 0.1), 1e-15);
        LearningRateSchedule.Cosine cosine = new LearningRateSchedule.Cosine(10, 0.001);
        assertEquals(0.1, cosine.rate(0, 0.1), 1e-15);
        assertEquals((0.1 + 0.001) / 2, cosine.rate(5, 0.1), 1e-15);
        assertEquals(0.001, cosine.rate(10, 0.1), 1e-15);
    }

    @Test
    void badHyperparametersAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Sgd(-1));
        assertThrows(IllegalArgumentException.class, () -> new Sgd(0.1, 0, true, 0));
        assertThrows(IllegalArgumentException.class, () -> new Adam(0.1, 1.0, 0.999, 1e-8, 0, false));
    }
}
