package io.simdnet.engine.gradcheck;

import io.simdnet.engine.init.Rng;
import io.simdnet.engine.layer.Layer;
import io.simdnet.engine.layer.Parameter;
import io.simdnet.engine.loss.Loss;
import io.simdnet.engine.model.Model;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Centred finite differences against back-propagation, as the course toolkits check layers: for each checked
 * value v, (L(v + h) − L(v − h)) / 2h next to the analytic dL/dv, and the relative error
 * |a − n| / max(|a| + |n|, floor) per tensor (its maximum over the elements). Runs in double precision: build the
 * layer or model with {@link DType#F64}.
 *
 * <p>A layer is checked through L = Σ r ⊙ layer(x) + its regularisation, with r a fixed random tensor; a loss
 * through L = loss(output, target); a model through L = loss(model(x), target) + its regularisation.
 */
public final class GradientCheck {

    /** Default step: the truncation error (h² · f''') and the rounding error (1e-16 · L / h) are both near 1e-10 at this size. */
    public static final double STEP = 1e-5;

    /** Denominator floor, so that gradients which are zero up to rounding do not count as errors. */
    public static final double FLOOR = 1e-7;

    /** The worst relative error over the checked elements of one tensor. */
    public record Result(String name, double maxRelativeError, int checked) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%-28s max relative error %.2e over %d values", name, maxRelativeError, checked);
        }
    }

    private GradientCheck() {
    }

    /** Checks dL/dx and every trainable parameter of a built F64 layer on input {@code x}. */
    public static List<Result> layer(Layer layer, Tensor x, boolean training, long seed) {
        requireDouble(layer.dtype(), "layer " + layer.name());
        Tensor y = layer.forward(x, training);
        Tensor weights = Tensor.zeros(DType.F64, y.shape());
        Rng rng = new Rng(seed);
        for (int i = 0; i < weights.size(); i++) {
            weights.set(i, rng.uniform(-1, 1));
        }
        Tensor dx = layer.backward(weights, true).to(DType.F64);
        List<Tensor> analytic = new ArrayList<>();
        for (Parameter p : trainable(layer.parameters())) {
            analytic.add(p.gradient().to(DType.F64));
        }
        Objective objective = () -> dot(weights, layer.forward(x, training)) + layer.regularizationLoss();
        List<Result> results = new ArrayList<>();
        results.add(compare("input", x, dx, objective));
        List<Parameter> params = trainable(layer.parameters());
        for (int i = 0; i < params.size(); i++) {
            results.add(compare(params.get(i).name(), params.get(i).value(), analytic.get(i), objective));
        }
        return results;
    }

    /** Checks dLoss/dOutput of a loss. */
    public static Result loss(Loss loss, Tensor output, Tensor target) {
        requireDouble(output.dtype(), "loss output");
        Tensor gradient = Tensor.zeros(DType.F64, output.shape());
        loss.compute(output, target, gradient);
        return compare(loss.name() + " output", output, gradient, () -> loss.compute(output, target, null));
    }

    /** Checks every trainable parameter of an F64 model under {@code loss}. */
    public static List<Result> model(Model model, Loss loss, Tensor x, Tensor target, boolean training) {
        requireDouble(model.dtype(), "model");
        Tensor out = model.forward(x, training);
        Tensor gradient = Tensor.zeros(DType.F64, out.shape());
        loss.compute(out, target, gradient);
        model.backward(gradient);
        List<Parameter> params = model.trainableParameters();
        List<Tensor> analytic = new ArrayList<>();
        for (Parameter p : params) {
            analytic.add(p.gradient().to(DType.F64));
        }
        Objective objective = () -> loss.compute(model.forward(x, training), target, null) + model.regularizationLoss();
        List<Result> results = new ArrayList<>();
        for (int i = 0; i < params.size(); i++) {
            results.add(compare(params.get(i).name(), params.get(i).value(), analytic.get(i), objective));
        }
        return results;
    }

    /** Checks dLoss/dInput of an F64 model, as {@code model.backward(gradient, true)} returns it. */
    public static Result modelInput(Model model, Loss loss, Tensor x, Tensor target, boolean training) {
        requireDouble(model.dtype(), "model");
        requireDouble(x.dtype(), "model input");
        Tensor out = model.forward(x, training);
        Tensor gradient = Tensor.zeros(DType.F64, out.shape());
        loss.compute(out, target, gradient);
        Tensor analytic = model.backward(gradient, true).to(DType.F64);
        return compare("input", x, analytic, () -> loss.compute(model.forward(x, training), target, null) + model.regularizationLoss());
    }

    /** One line per result. */
    public static String report(List<Result> results) {
        StringBuilder text = new StringBuilder();
        for (Result r : results) {
            text.append(r).append('\n');
        }
        return text.toString();
    }

    @FunctionalInterface
    private interface Objective {
        double value();
    }

    private static Result compare(String name, Tensor values, Tensor analytic, Objective objective) {
        double worst = 0;
        for (int i = 0; i < values.size(); i++) {
            double original = values.get(i);
            values.set(i, original + STEP);
            double plus = objective.value();
            values.set(i, original - STEP);
            double minus = objective.value();
            values.set(i, original);
            double numeric = (plus - minus) / (2 * STEP);
            double a = analytic.get(i);
            double error = Math.abs(a - numeric) / Math.max(Math.abs(a) + Math.abs(numeric), FLOOR);
            worst = Math.max(worst, error);
        }
        return new Result(name, worst, values.size());
    }

    private static List<Parameter> trainable(List<Parameter> params) {
        return params.stream().filter(Parameter::trainable).toList();
    }

    private static double dot(Tensor a, Tensor b) {
        double sum = 0;
        for (int i = 0; i < a.size(); i++) {
            sum += a.get(i) * b.get(i);
        }
        return sum;
    }

    private static void requireDouble(DType dtype, String what) {
        if (dtype != DType.F64) {
            throw new IllegalArgumentException("Gradient check of " + what + ": needs F64 (finite differences in float are too coarse), got " + dtype);
        }
    }
}
