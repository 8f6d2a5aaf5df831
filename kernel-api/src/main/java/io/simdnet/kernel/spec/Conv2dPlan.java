package io.simdnet.kernel.spec;

import io.simdnet.kernel.DType;
import java.util.List;

/**
 * How a {@link Conv2dSpec} is computed, derived from the spec alone: the algorithm and the GEMMs its passes
 * call. The generator, the catalog and the registry all ask this one record, so the decision is made once
 * (in the manner of oneDNN's primitive descriptors).
 *
 * @param backwardWeightsGemm null for {@link Algorithm#DENSE}, whose backward-weights depth is the batch size:
 *     see {@link #backwardWeightsGemm(int)}
 */
public record Conv2dPlan(Conv2dSpec spec, Algorithm algorithm, GemmSpec forwardGemm, GemmSpec backwardDataGemm, GemmSpec backwardWeightsGemm) {

    public enum Algorithm {
        /**
         * im2col and col2im around three GEMMs: forward Y (OC × P) = W (OC × PATCH) · col (PATCH × P);
         * backward-data dcol (PATCH × P) = Wᵀ · dY (TN); backward-weights dWᵀ (PATCH × OC) = col · dYᵀ (NT),
         * transposed so that the operand packed by gathers is dY, not the PATCH-times-larger patch matrix.
         */
        IM2COL,
        /**
         * The kernel covers the whole unpadded input (one output position, like LeNet-5's C5): a dense layer
         * over the flattened image, one GEMM per pass over the whole batch: Y (N × OC) = X · Wᵀ (NT, with the
         * bias), dX = dY · W (NN), dW (OC × PATCH) = dYᵀ · X (TN, the batch as depth).
         */
        DENSE
    }

    public static Conv2dPlan of(Conv2dSpec spec) {
        DType type = spec.elementType();
        VectorTarget target = spec.target();
        if (isDense(spec)) {
            return new Conv2dPlan(spec, Algorithm.DENSE,
                    GemmSpec.of(type, GemmForm.NT, spec.patchSize(), spec.outChannels(), spec.bias(), false, target),
                    GemmSpec.of(type, GemmForm.NN, spec.outChannels(), spec.patchSize(), false, false, target),
                    null);
        }
        int positions = spec.outHeight() * spec.outWidth();
        return new Conv2dPlan(spec, Algorithm.IM2COL,
                GemmSpec.of(type, GemmForm.NN, spec.patchSize(), positions, false, false, target),
                GemmSpec.of(type, GemmForm.TN, spec.outChannels(), positions, false, false, target),
                GemmSpec.of(type, GemmForm.NT, positions, spec.outChannels(), false, false, target));
    }

    private static boolean isDense(Conv2dSpec spec) {
        return spec.outHeight() == 1 && spec.outWidth() == 1 && spec.kernelH() == spec.height() && spec.kernelW() == spec.width()
                && spec.padTop() == 0 && spec.padBottom() == 0 && spec.padLeft() == 0 && spec.padRight() == 0;
    }

    /** The backward-weights GEMM for a batch of {@code batch} images (the same for every batch with im2col). */
    public GemmSpec backwardWeightsGemm(int batch) {
        if (algorithm == Algorithm.IM2COL) {
            return backwardWeightsGemm;
        }
        return GemmSpec.of(spec.elementType(), GemmForm.TN, batch, spec.patchSize(), false, false, spec.target());
    }

    /** The GEMMs whose specs do not depend on the batch size: what the catalog compiles beside the convolution. */
    public List<GemmSpec> fixedGemms() {
        return backwardWeightsGemm == null ? List.of(forwardGemm, backwardDataGemm) : List.of(forwardGemm, backwardDataGemm, backwardWeightsGemm);
    }
}
