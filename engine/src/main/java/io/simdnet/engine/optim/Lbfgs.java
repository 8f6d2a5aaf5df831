package io.simdnet.engine.optim;

import io.simdnet.engine.layer.Parameter;
import java.util.List;

/**
 * Limited-memory BFGS for full-batch problems (the sparse autoencoder course minimises its cost with minFunc's
 * L-BFGS): each iteration takes the two-loop-recursion direction from the last {@code history} curvature pairs and
 * a backtracking line search on the Armijo condition (step 1, halved until the cost falls by at least
 * 10⁻⁴·step·gᵀd; the first step is scaled to 1/‖g‖₁, as PyTorch's {@code LBFGS} does). Pairs with sᵀy ≤ 10⁻¹⁰
 * are skipped, which keeps the implicit Hessian positive definite. Unlike the other optimisers it needs the cost
 * as a function it can evaluate again ({@link Objective}), like PyTorch's {@code LBFGS.step(closure)}. Vectors are
 * kept in double whatever the parameters' element type.
 */
public final class Lbfgs {

    /** The full-batch cost at the parameters' current values; also writes every parameter's gradient. */
    @FunctionalInterface
    public interface Objective {
        double evaluate();
    }

    /** Called after every iteration with its number (from 1) and the cost reached. */
    @FunctionalInterface
    public interface Listener {
        void onIteration(int iteration, double cost);
    }

    /** How a run ended. */
    public record Result(double cost, int iterations, int evaluations, boolean converged) {
    }

    private static final double ARMIJO = 1e-4;
    private static final double CURVATURE_FLOOR = 1e-10;
    private static final int MAX_HALVINGS = 40;

    private final int history;
    private final double gradientTolerance;

    /** 100 pairs of history (minFunc's default), stop when the largest gradient element is at most 1e-5. */
    public Lbfgs() {
        this(100, 1e-5);
    }

    public Lbfgs(int history, double gradientTolerance) {
        if (history <= 0 || !(gradientTolerance >= 0)) {
            throw new IllegalArgumentException("L-BFGS: history = " + history + ", gradient tolerance = " + gradientTolerance
                    + ", expected history > 0 and tolerance >= 0");
        }
        this.history = history;
        this.gradientTolerance = gradientTolerance;
    }

    /** Minimises {@code objective} over {@code parameters} for at most {@code maxIterations} iterations. */
    public Result minimize(List<Parameter> parameters, Objective objective, int maxIterations, Listener listener) {
        if (maxIterations <= 0) {
            throw new IllegalArgumentException("L-BFGS: max iterations = " + maxIterations + ", expected > 0");
        }
        int size = 0;
        for (Parameter p : parameters) {
            if (!p.trainable()) {
                throw new IllegalArgumentException("L-BFGS: parameter \"" + p.name() + "\" is not trainable");
            }
            size += p.value().size();
        }
        double[] x = new double[size];
        double[] g = new double[size];
        double[] direction = new double[size];
        double[] trial = new double[size];
        double[] trialGradient = new double[size];
        double[][] s = new double[history][size];
        double[][] y = new double[history][size];
        double[] rho = new double[history];
        double[] alpha = new double[history];
        int stored = 0;
        int newest = -1;

        read(parameters, x, false);
        double cost = objective.evaluate();
        read(parameters, g, true);
        int evaluations = 1;
        for (int iteration = 1; iteration <= maxIterations; iteration++) {
            if (maxAbs(g) <= gradientTolerance) {
                return new Result(cost, iteration - 1, evaluations, true);
            }
            // Two-loop recursion: direction = −H·g.
            System.arraycopy(g, 0, direction, 0, size);
            for (int k = 0; k < stored; k++) {
                int i = Math.floorMod(newest - k, history);
                alpha[i] = rho[i] * dot(s[i], direction);
                axpy(-alpha[i], y[i], direction);
            }
            double gamma = stored > 0 ? dot(s[newest], y[newest]) / dot(y[newest], y[newest]) : 1;
            for (int j = 0; j < size; j++) {
                direction[j] *= gamma;
            }
            for (int k = stored - 1; k >= 0; k--) {
                int i = Math.floorMod(newest - k, history);
                double beta = rho[i] * dot(y[i], direction);
                axpy(alpha[i] - beta, s[i], direction);
            }
            for (int j = 0; j < size; j++) {
                direction[j] = -direction[j];
            }
            double slope = dot(g, direction);
            if (!(slope < 0)) {
                // Not a descent direction (rounding): restart from steepest descent.
                stored = 0;
                for (int j = 0; j < size; j++) {
                    direction[j] = -g[j];
                }
                slope = dot(g, direction);
            }
            double step = iteration == 1 ? Math.min(1, 1 / sumAbs(g)) : 1;
            double trialCost = Double.NaN;
            boolean accepted = false;
            for (int halving = 0; halving < MAX_HALVINGS; halving++) {
                for (int j = 0; j < size; j++) {
                    trial[j] = x[j] + step * direction[j];
                }
                write(parameters, trial);
                trialCost = objective.evaluate();
                evaluations++;
                if (Double.isFinite(trialCost) && trialCost <= cost + ARMIJO * step * slope) {
                    accepted = true;
                    break;
                }
                step /= 2;
            }
            if (!accepted) {
                write(parameters, x);
                objective.evaluate();
                return new Result(cost, iteration - 1, evaluations + 1, false);
            }
            read(parameters, trialGradient, true);
            int slot = (newest + 1) % history;
            double sy = 0;
            for (int j = 0; j < size; j++) {
                s[slot][j] = trial[j] - x[j];
                y[slot][j] = trialGradient[j] - g[j];
                sy += s[slot][j] * y[slot][j];
            }
            if (sy > CURVATURE_FLOOR) {
                rho[slot] = 1 / sy;
                newest = slot;
                stored = Math.min(stored + 1, history);
            }
            double[] swap = x;
            x = trial;
            trial = swap;
            swap = g;
            g = trialGradient;
            trialGradient = swap;
            cost = trialCost;
            if (listener != null) {
                listener.onIteration(iteration, cost);
            }
        }
        return new Result(cost, maxIterations, evaluations, maxAbs(g) <= gradientTolerance);
    }

    private static void read(List<Parameter> parameters, double[] into, boolean gradients) {
        int at = 0;
        for (Parameter p : parameters) {
            var t = gradients ? p.gradient() : p.value();
            for (int i = 0; i < t.size(); i++) {
                into[at++] = t.get(i);
            }
        }
    }

    private static void write(List<Parameter> parameters, double[] from) {
        int at = 0;
        for (Parameter p : parameters) {
            for (int i = 0; i < p.value().size(); i++) {
                p.value().set(i, from[at++]);
            }
        }
    }

    private static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    private static void axpy(double a, double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) {
            y[i] += a * x[i];
        }
    }

    private static double maxAbs(double[] a) {
        double max = 0;
        for (double v : a) {
            max = Math.max(max, Math.abs(v));
        }
        return max;
    }

    private static double sumAbs(double[] a) {
        double sum = 0;
        for (double v : a) {
            sum += Math.abs(v);
        }
        return sum;
    }
}
