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
import org.junit.jupiter.api.Test;

/**
 * Each optimiser against PyTorch's update rules written out in double, over several steps with changing gradients,
 * in both element types (37 elements: vector body and scalar tail).
 */
class OptimizerTest {

    private static final int SIZE = 37;
    private static final int STEPS = 6;

    /** The reference rule: state[k][i] arrays, updates w[i] given g[i] and the step t (from 1). */
    private interface Rule {
        void apply(double[] w, double[] g, double[][] state, int t);
    }

    private static void compare(Supplier<Optimizer> factory, Rule rule) {
        for (DType dtype : DType.values()) {
            Rng rng = new Rng(7);
            Tensor w = Tensor.zeros(dtype, SIZE);
            double[] reference = new double[SIZE];
            for (int i = 0; i < SIZE; i++) {
                w.set(i, rng.uniform(-1, 1));
                reference[i] = w.get(i);
            }
            Parameter p = new Parameter("w", w, Tensor.zeros(dtype, SIZE), false);
            Optimizer optimizer = factory.get();
            double[][] state = new double[2][SIZE];
            for (int t = 1; t <= STEPS; t++) {
                double[] g = new double[SIZE];
                for (int i = 0; i < SIZE; i++) {
                    g[i] = (float) rng.uniform(-1, 1);
                    p.gradient().set(i, g[i]);
                }
                optimizer.step(List.of(p));
                rule.apply(reference, g, state, t);
            }
            double tolerance = dtype == DType.F32 ? 2e-5 : 1e-12;
            assertArrayEquals(reference, p.value().toDoubleArray(), tolerance, optimizer.name() + " " + dtype);
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
