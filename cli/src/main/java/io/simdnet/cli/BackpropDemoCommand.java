package io.simdnet.cli;

import io.simdnet.engine.init.Rng;
import io.simdnet.engine.layer.Dense;
import io.simdnet.engine.layer.Sigmoid;
import io.simdnet.engine.loss.MeanSquaredError;
import io.simdnet.engine.model.Model;
import io.simdnet.engine.model.ParameterLayout;
import io.simdnet.engine.model.Sequential;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The two-layer sigmoid network with squared error written out by hand, forward and backward, as in the
 * course: every gradient printed beside a centred finite difference and beside what the engine's layers
 * compute for the same weights, then a few steps of gradient descent.
 */
@Command(name = "backprop-demo", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Back-propagation by hand for x → sigmoid(x·W1 + b1) → sigmoid(·W2 + b2) with J = 1/(2N)·Σ‖y − t‖², checked against "
                + "finite differences and the engine.")
final class BackpropDemoCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--seed", description = "Seed of the weights and data (default: ${DEFAULT-VALUE}).")
    long seed = 1;

    @Option(names = "--steps", description = "Gradient-descent steps to show (default: ${DEFAULT-VALUE}).")
    int steps = 5000;

    @Option(names = "--lr", description = "Learning rate (default: ${DEFAULT-VALUE}).")
    double lr = 20;

    private static final int N = 4;
    private static final int D = 2;
    private static final int H = 3;
    private static final int O = 1;

    // XOR: the classic problem a single layer cannot solve.
    private final double[][] x = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
    private final double[][] t = {{0}, {1}, {1}, {0}};
    private double[][] w1 = new double[D][H];
    private double[] b1 = new double[H];
    private double[][] w2 = new double[H][O];
    private double[] b2 = new double[O];
    private PrintWriter out;

    @Override
    public Integer call() {
        if (steps < 0 || !(lr > 0)) {
            throw new IllegalArgumentException("--steps must be >= 0 and --lr > 0, got " + steps + " and " + lr);
        }
        out = spec.commandLine().getOut();
        Rng rng = new Rng(seed);
        for (double[] row : w1) {
            for (int j = 0; j < H; j++) {
                row[j] = rng.uniform(-1, 1);
            }
        }
        for (double[] row : w2) {
            row[0] = rng.uniform(-1, 1);
        }
        Gradients g = backward();
        out.printf(Locale.ROOT, "Loss J = %.8f%n%n", loss());
        out.println("parameter     analytic        numeric         engine          rel. error");
        Model engine = engineModel();
        Tensor prediction = engine.forward(input(), true);
        Tensor dOut = Tensor.zeros(DType.F64, prediction.shape());
        MeanSquaredError.halfSumPerSample().compute(prediction, target(), dOut);
        engine.backward(dOut);
        double worst = 0;
        for (int i = 0; i < D; i++) {
            for (int j = 0; j < H; j++) {
                worst = Math.max(worst, print("W1[" + i + "][" + j + "]", g.w1[i][j], numeric(w1[i], j), engine.parameter("dense.weight").gradient().get(i * H + j)));
            }
        }
        for (int j = 0; j < H; j++) {
            worst = Math.max(worst, print("b1[" + j + "]", g.b1[j], numeric(b1, j), engine.parameter("dense.bias").gradient().get(j)));
        }
        for (int j = 0; j < H; j++) {
            worst = Math.max(worst, print("W2[" + j + "][0]", g.w2[j][0], numeric(w2[j], 0), engine.parameter("dense_1.weight").gradient().get(j)));
        }
        worst = Math.max(worst, print("b2[0]", g.b2[0], numeric(b2, 0), engine.parameter("dense_1.bias").gradient().get(0)));
        out.printf(Locale.ROOT, "%nWorst relative error against finite differences: %.2e%n%n", worst);

        for (int step = 1; step <= steps; step++) {
            Gradients d = backward();
            for (int i = 0; i < D; i++) {
                for (int j = 0; j < H; j++) {
                    w1[i][j] -= lr * d.w1[i][j];
                }
            }
            for (int j = 0; j < H; j++) {
                b1[j] -= lr * d.b1[j];
                w2[j][0] -= lr * d.w2[j][0];
            }
            b2[0] -= lr * d.b2[0];
            if (step == 1 || step % Math.max(1, steps / 8) == 0) {
                out.printf(Locale.ROOT, "step %5d  J = %.6f%n", step, loss());
            }
        }
        double[][] y = forward().y;
        for (int n = 0; n < N; n++) {
            out.printf(Locale.ROOT, "x = (%.0f, %.0f)  target %.0f  output %.4f%n", x[n][0], x[n][1], t[n][0], y[n][0]);
        }
        return worst < 1e-6 ? 0 : 1;
    }

    private record Activations(double[][] a1, double[][] y) {
    }

    private record Gradients(double[][] w1, double[] b1, double[][] w2, double[] b2) {
    }

    private static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    /** a1 = σ(x·W1 + b1), y = σ(a1·W2 + b2). */
    private Activations forward() {
        double[][] a1 = new double[N][H];
        double[][] y = new double[N][O];
        for (int n = 0; n < N; n++) {
            for (int j = 0; j < H; j++) {
                double z = b1[j];
                for (int i = 0; i < D; i++) {
                    z += x[n][i] * w1[i][j];
                }
                a1[n][j] = sigmoid(z);
            }
            double z = b2[0];
            for (int j = 0; j < H; j++) {
                z += a1[n][j] * w2[j][0];
            }
            y[n][0] = sigmoid(z);
        }
        return new Activations(a1, y);
    }

    /** J = 1/(2N)·Σ (y − t)². */
    private double loss() {
        double[][] y = forward().y;
        double sum = 0;
        for (int n = 0; n < N; n++) {
            sum += (y[n][0] - t[n][0]) * (y[n][0] - t[n][0]);
        }
        return sum / (2 * N);
    }

    /**
     * δ2 = (y − t)/N ⊙ y(1 − y); dW2 = a1ᵀ·δ2; db2 = Σ δ2; δ1 = δ2·W2ᵀ ⊙ a1(1 − a1); dW1 = xᵀ·δ1; db1 = Σ δ1.
     */
    private Gradients backward() {
        Activations f = forward();
        Gradients g = new Gradients(new double[D][H], new double[H], new double[H][O], new double[O]);
        for (int n = 0; n < N; n++) {
            double delta2 = (f.y[n][0] - t[n][0]) / N * f.y[n][0] * (1 - f.y[n][0]);
            g.b2[0] += delta2;
            for (int j = 0; j < H; j++) {
                g.w2[j][0] += f.a1[n][j] * delta2;
                double delta1 = delta2 * w2[j][0] * f.a1[n][j] * (1 - f.a1[n][j]);
                g.b1[j] += delta1;
                for (int i = 0; i < D; i++) {
                    g.w1[i][j] += x[n][i] * delta1;
                }
            }
        }
        return g;
    }

    private double numeric(double[] values, int index) {
        double h = 1e-5;
        double original = values[index];
        values[index] = original + h;
        double plus = loss();
        values[index] = original - h;
        double minus = loss();
        values[index] = original;
        return (plus - minus) / (2 * h);
    }

    private double print(String name, double analytic, double numeric, double engine) {
        double error = Math.abs(analytic - numeric) / Math.max(Math.abs(analytic) + Math.abs(numeric), 1e-12);
        out.printf(Locale.ROOT, "%-12s %+.8e %+.8e %+.8e %.2e%n", name, analytic, numeric, engine, error);
        return error;
    }

    /** The same network from engine layers, with these weights, in double. */
    private Model engineModel() {
        Model m = Sequential.input(D).add(new Dense(H)).add(new Sigmoid()).add(new Dense(O)).add(new Sigmoid()).build(DType.F64, 0);
        double[] flatW1 = new double[D * H];
        for (int i = 0; i < D; i++) {
            System.arraycopy(w1[i], 0, flatW1, i * H, H);
        }
        double[] flatW2 = new double[H];
        for (int j = 0; j < H; j++) {
            flatW2[j] = w2[j][0];
        }
        m.setParameter("dense.weight", Tensor.of(flatW1, D, H), ParameterLayout.SIMDNET);
        m.setParameter("dense.bias", Tensor.of(b1.clone(), H));
        m.setParameter("dense_1.weight", Tensor.of(flatW2, H, O), ParameterLayout.SIMDNET);
        m.setParameter("dense_1.bias", Tensor.of(b2.clone(), O));
        return m;
    }

    private Tensor input() {
        double[] v = new double[N * D];
        for (int n = 0; n < N; n++) {
            System.arraycopy(x[n], 0, v, n * D, D);
        }
        return Tensor.of(v, N, D);
    }

    private Tensor target() {
        double[] v = new double[N];
        for (int n = 0; n < N; n++) {
            v[n] = t[n][0];
        }
        return Tensor.of(v, N, O);
    }
}
