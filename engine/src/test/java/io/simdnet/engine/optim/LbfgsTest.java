package io.simdnet.engine.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.simdnet.engine.data.Dataset;
import io.simdnet.engine.init.Rng;
import io.simdnet.engine.layer.Dense;
import io.simdnet.engine.layer.Regularizer;
import io.simdnet.engine.loss.MeanSquaredError;
import io.simdnet.engine.model.Model;
import io.simdnet.engine.model.Sequential;
import io.simdnet.kernel.DType;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.engine.train.FullBatchObjective;
import org.junit.jupiter.api.Test;

/** L-BFGS on a convex problem: ridge regression, whose minimum is known in closed form. */
class LbfgsTest {

    private static final int N = 60;
    private static final int D = 4;
    private static final double L2 = 0.05;

    private static Dataset regression() {
        Rng rng = new Rng(3);
        Tensor x = Tensor.zeros(DType.F64, N, D);
        Tensor t = Tensor.zeros(DType.F64, N, 1);
        double[] w = {1.5, -2, 0.5, 3};
        for (int n = 0; n < N; n++) {
            double sum = 0.7;
            for (int d = 0; d < D; d++) {
                double v = rng.uniform(-1, 1) * (d + 1);
                x.set(n * D + d, v);
                sum += w[d] * v;
            }
            t.set(n, sum + 0.1 * rng.gaussian());
        }
        return Dataset.of(x, t);
    }

    private static Model model() {
        return Sequential.input(D).add(new Dense(1).regularizer(Regularizer.l2(L2))).build(DType.F64, 1);
    }

    /**
     * The minimiser of mean((x·w + b − t)²) + L2·‖w‖² from its normal equations, [XᵀX/N + L2·I, Xᵀ1/N; 1ᵀX/N, 1]·[w; b] =
     * [Xᵀt/N; mean t], solved by Gaussian elimination in double.
     */
    private static double[] closedForm(Dataset data) {
        int m = D + 1;
        double[][] a = new double[m][m + 1];
        for (int n = 0; n < N; n++) {
            double[] row = new double[m];
            for (int d = 0; d < D; d++) {
                row[d] = data.inputs().get(n * D + d);
            }
            row[D] = 1;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < m; j++) {
                    a[i][j] += row[i] * row[j] / N;
                }
                a[i][m] += row[i] * data.targets().get(n) / N;
            }
        }
        for (int d = 0; d < D; d++) {
            a[d][d] += L2;
        }
        for (int col = 0; col < m; col++) {
            for (int r = col + 1; r < m; r++) {
                double f = a[r][col] / a[col][col];
                for (int c = col; c <= m; c++) {
                    a[r][c] -= f * a[col][c];
                }
            }
        }
        double[] solution = new double[m];
        for (int r = m - 1; r >= 0; r--) {
            double v = a[r][m];
            for (int c = r + 1; c < m; c++) {
                v -= a[r][c] * solution[c];
            }
            solution[r] = v / a[r][r];
        }
        return solution;
    }

    @Test
    void lbfgsReachesTheClosedFormMinimumInFewIterationsWhereGradientDescentNeedsThousands() {
        Dataset data = regression();
        double[] expected = closedForm(data);

        Model byLbfgs = model();
        FullBatchObjective objective = new FullBatchObjective(byLbfgs, MeanSquaredError.mean(), data);
        Lbfgs.Result result = new Lbfgs(10, 1e-10).minimize(byLbfgs.trainableParameters(), objective, 100, null);
        assertTrue(result.converged(), result.toString());
        assertTrue(result.iterations() < 30, result.toString());
        for (int d = 0; d < D; d++) {
            assertEquals(expected[d], byLbfgs.parameter("dense.weight").value().get(d), 1e-8, "w" + d);
        }
        assertEquals(expected[D], byLbfgs.parameter("dense.bias").value().get(0), 1e-8, "b");

        Model byDescent = model();
        FullBatchObjective descentObjective = new FullBatchObjective(byDescent, MeanSquaredError.mean(), data);
        Sgd sgd = new Sgd(0.02);
        double cost = Double.NaN;
        for (int i = 0; i < 3000; i++) {
            cost = descentObjective.evaluate();
            sgd.step(byDescent.trainableParameters());
        }
        cost = descentObjective.evaluate();
        assertEquals(result.cost(), cost, 1e-6, "both reach the one minimum of a convex cost");
        assertTrue(result.cost() <= cost + 1e-12, "L-BFGS " + result.cost() + " vs gradient descent " + cost);
        assertTrue(result.evaluations() < 100, "function evaluations: " + result.evaluations());
    }

    @Test
    void everyIterationLowersTheCost() {
        Dataset data = regression();
        Model model = model();
        double[] last = {Double.POSITIVE_INFINITY};
        new Lbfgs().minimize(model.trainableParameters(), new FullBatchObjective(model, MeanSquaredError.mean(), data), 20, (i, cost) -> {
            assertTrue(cost < last[0], "iteration " + i + ": " + cost + " after " + last[0]);
            last[0] = cost;
        });
    }
}
