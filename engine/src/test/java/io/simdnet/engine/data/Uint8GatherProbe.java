package io.simdnet.engine.data;

import io.simdnet.engine.init.Rng;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;
import java.util.ArrayList;
import java.util.List;

/**
 * Gathers byte datasets whose one map is a {@link FloatStep} and compares every float with the scalar arithmetic,
 * in this JVM or in one limited to another vector width ({@link Uint8DatasetTest} starts those): prints
 * {@code vectorized=} (datasets that took the vector path, of all) and {@code mismatches=}.
 */
final class Uint8GatherProbe {

    /** Sample sizes around the vector lengths (4 to 64 bytes), so both whole vectors and tails are gathered. */
    private static final int[] SAMPLE_SIZES = {1, 5, 16, 63, 64, 65, 130, 784};
    private static final int SAMPLES = 9;

    private Uint8GatherProbe() {
    }

    record Result(int vectorized, int datasets, List<String> mismatches) {
    }

    static Result run() {
        List<FloatStep> steps = List.of(FloatStep.divide(255f), FloatStep.multiply(1 / 255f), FloatStep.multiply(-3.7f), FloatStep.divide(7f));
        Rng rng = new Rng(5);
        int vectorized = 0;
        int datasets = 0;
        List<String> mismatches = new ArrayList<>();
        for (int size : SAMPLE_SIZES) {
            byte[] pixels = new byte[SAMPLES * size];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (byte) (i < 256 ? i : rng.nextInt(256));
            }
            Tensor labels = Tensor.zeros(DType.F32, SAMPLES);
            for (FloatStep step : steps) {
                Uint8Dataset data = (Uint8Dataset) Dataset.of(Uint8Images.of(pixels, SAMPLES, size), labels).mapped(step);
                datasets++;
                vectorized += data.vectorizedGather() ? 1 : 0;
                int[] order = {8, 3, 0, 7, 1, 6, 2, 5, 4};
                Tensor batch = Tensor.zeros(DType.F32, SAMPLES, size);
                data.gatherInputs(order, 0, SAMPLES, batch);
                for (int b = 0; b < SAMPLES; b++) {
                    for (int i = 0; i < size; i++) {
                        float x = pixels[order[b] * size + i] & 0xFF;
                        float expected = step.op() == FloatStep.Op.MULTIPLY ? x * step.operand() : x / step.operand();
                        float actual = batch.floats()[b * size + i];
                        if (Float.floatToRawIntBits(expected) != Float.floatToRawIntBits(actual)) {
                            mismatches.add(step + " sample size " + size + " [" + b + ", " + i + "]: " + actual + ", expected " + expected);
                        }
                    }
                }
            }
        }
        return new Result(vectorized, datasets, mismatches);
    }

    public static void main(String[] args) {
        Result result = run();
        System.out.println("vectorized=" + result.vectorized() + "/" + result.datasets());
        System.out.println("mismatches=" + result.mismatches().size());
        result.mismatches().stream().limit(5).forEach(System.out::println);
    }
}
