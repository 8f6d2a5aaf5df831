package io.simdnet.engine.layer;

import io.simdnet.engine.tensor.Tensor;

/**
 * A penalty on a layer's weights (not its bias) added to the loss. {@code l2(c)} adds c·ΣW², as Keras'
 * {@code l2(c)} does; the course convention λ/2·ΣW² is {@code l2(λ / 2)}.
 */
public record Regularizer(double l1, double l2) {

    public Regularizer {
        if (!(l1 >= 0) || !(l2 >= 0)) {
            throw new IllegalArgumentException("Regularizer: coefficients must be >= 0, got l1 = " + l1 + ", l2 = " + l2);
        }
    }

    public static Regularizer l2(double coefficient) {
        return new Regularizer(0, coefficient);
    }

    public static Regularizer l1(double coefficient) {
        return new Regularizer(coefficient, 0);
    }

    public double penalty(Tensor weights) {
        double sumSquares = 0;
        double sumAbs = 0;
        for (int i = 0, n = weights.size(); i < n; i++) {
            double w = weights.get(i);
            sumSquares += w * w;
            sumAbs += Math.abs(w);
        }
        return l1 * sumAbs + l2 * sumSquares;
    }

    /** gradient += d(penalty)/dW. */
    public void addGradient(Tensor weights, Tensor gradient) {
        int n = weights.size();
        if (weights.floats() != null) {
            float[] w = weights.floats();
            float[] g = gradient.floats();
            float twoL2 = (float) (2 * l2);
            float l1f = (float) l1;
            for (int i = 0; i < n; i++) {
                g[i] += twoL2 * w[i] + l1f * Math.signum(w[i]);
            }
        } else {
            double[] w = weights.doubles();
            double[] g = gradient.doubles();
            for (int i = 0; i < n; i++) {
                g[i] += 2 * l2 * w[i] + l1 * Math.signum(w[i]);
            }
        }
    }
}
