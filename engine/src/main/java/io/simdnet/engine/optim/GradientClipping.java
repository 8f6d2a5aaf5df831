package io.simdnet.engine.optim;

import io.simdnet.engine.layer.Parameter;
import java.util.List;

/** Gradient clipping as PyTorch's {@code clip_grad_norm_} (global norm, scale max/(norm + 1e-6)) and {@code clip_grad_value_}. */
final class GradientClipping {

    private GradientClipping() {
    }

    static double globalNorm(List<Parameter> parameters) {
        double sum = 0;
        for (Parameter p : parameters) {
            for (int i = 0, n = p.gradient().size(); i < n; i++) {
                double g = p.gradient().get(i);
                sum += g * g;
            }
        }
        return Math.sqrt(sum);
    }

    static void byNorm(List<Parameter> parameters, double maxNorm) {
        double norm = globalNorm(parameters);
        if (norm <= maxNorm) {
            return;
        }
        double scale = maxNorm / (norm + 1e-6);
        for (Parameter p : parameters) {
            for (int i = 0, n = p.gradient().size(); i < n; i++) {
                p.gradient().set(i, p.gradient().get(i) * scale);
            }
        }
    }

    static void byValue(List<Parameter> parameters, double limit) {
        for (Parameter p : parameters) {
            for (int i = 0, n = p.gradient().size(); i < n; i++) {
                p.gradient().set(i, Math.max(-limit, Math.min(limit, p.gradient().get(i))));
            }
        }
    }
}
